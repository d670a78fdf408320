/**
 * Shared setup for the metrics tests: the PP-OCR direction classifier (about 1 ms per inference) with its symbolic
 * dimensions fixed, so that random inputs can be made from its specs.
 */
import { join } from 'node:path';

/** ch_ppocr_mobile_v2.0_cls_infer.onnx: x [N,3,H,W] -> [N,2]. */
export const CLS = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');

/** Fix the classifier to 1x3x48x192. */
export const CLS_SYMBOLS = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };

/** One classifier input. */
export function clsInput(): { x: { data: Float32Array; shape: number[] } } {
  return { x: { data: new Float32Array(3 * 48 * 192).fill(0.5), shape: [1, 3, 48, 192] } };
}

/** Capture console.log lines while `fn` runs. */
export async function captureLog(fn: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.join(' '));
  };
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

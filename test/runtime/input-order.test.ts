import t from 'tap';
import { Activation } from '../../lib/runtime/activation.js';
import { QaicError } from '../../lib/errors.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { writeModel } from '../fixtures/models.js';

// y = a - b: the order of the two inputs matters
const path = writeModel(model(graph({
  nodes: [node('Sub', ['a', 'b'], ['y'])],
  inputs: [tensorInfo('a', 'float32', [1]), tensorInfo('b', 'float32', [1])],
  outputs: [tensorInfo('y', 'float32', [1])],
})), 'sub');

t.test('feeds are matched to onnxruntime inputs by the names the main thread sent them in, not by position', async (t) => {
  const activation = new Activation({ index: 0, modelPath: path, sessionOptions: {}, inputNames: ['b', 'a'] }, () => undefined);
  await activation.start(30_000);
  t.teardown(() => activation.stop(new QaicError('QAIC_ABORTED', 'test over')));
  const r = await activation.run([
    { type: 'float32', dims: [1], data: new Float32Array([1]) }, // b
    { type: 'float32', dims: [1], data: new Float32Array([10]) }, // a
  ], []);
  t.equal((r.outputs['y']!.data as Float32Array)[0], 9, 'a - b = 10 - 1');
});

t.test('input names that onnxruntime does not know fail the activation instead of feeding the wrong inputs', async (t) => {
  const activation = new Activation({ index: 0, modelPath: path, sessionOptions: {}, inputNames: ['a', 'c'] }, () => undefined);
  await t.rejects(activation.start(30_000), { code: 'QAIC_ACTIVATION_FAILED', message: /inputs as prepared \(a, c\) are not those onnxruntime loaded \(a, b\)/ });
});

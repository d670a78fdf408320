import t from 'tap';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { writeModel } from '../fixtures/models.js';

t.test('an error onnxruntime raises inside the worker arrives as QAIC_RUN_FAILED with its message', async (t) => {
  // Reshape to a shape taken from the second input: a bad shape passes our checks and fails inside onnxruntime.
  const path = writeModel(model(graph({
    nodes: [node('Reshape', ['x', 's'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [6]), tensorInfo('s', 'int64', [2])],
    outputs: [tensorInfo('y', 'float32', null)],
  })), 'reshape');
  const session = new Session(path);
  t.teardown(() => session.close());
  const error = await session.run({ x: new Float32Array(6), s: new BigInt64Array([4n, 4n]) }).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof QaicError, 'a QaicError on the main thread');
  t.equal((error as QaicError).code, 'QAIC_RUN_FAILED');
  t.match((error as QaicError).message, /activation 0: onnxruntime rejected the inference: .*(reshape|Reshape|shape)/);
  t.ok((error as QaicError).cause instanceof Error, "onnxruntime's error is kept as the cause");
  const out = await session.run({ x: new Float32Array([1, 2, 3, 4, 5, 6]), s: new BigInt64Array([2n, 3n]) });
  t.same(out['y']!.shape, [2, 3], 'the activation keeps working');
});

t.test('a QaicError raised in the worker crosses to the main thread with its own code and message', async (t) => {
  const path = writeModel(model(graph({
    nodes: [node('Identity', ['x'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [1])],
    outputs: [tensorInfo('y', 'float32', [1])],
  })), 'identity');
  const session = new Session(path);
  t.teardown(() => session.close());
  await session.setup();
  // asking a non-profiling activation for its profile fails inside the worker with QAIC_METRICS_DISABLED
  const error = await session._pool!.activations[0]!.endProfiling().then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof QaicError);
  t.equal((error as QaicError).code, 'QAIC_METRICS_DISABLED', 'the code survives the thread boundary');
  t.equal((error as QaicError).message, 'this activation is not profiling', 'and so does the message');
});

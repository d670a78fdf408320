import t from 'tap';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { unloadableModel, within } from '../fixtures/models.js';

t.test('a model onnxruntime cannot load fails setup() and run() with its reason, never hangs', async (t) => {
  // compile: false sends the model straight to the activations, so the failure happens where they load it
  const session = new Session(unloadableModel(), { num_activations: 2, compile: false });
  t.teardown(() => session.close());
  const setupError = await within(session.setup().then(() => undefined, (e: unknown) => e), 30_000, 'setup()');
  t.ok(setupError instanceof QaicError);
  t.equal((setupError as QaicError).code, 'QAIC_ACTIVATION_FAILED');
  t.match((setupError as QaicError).message, /activation \d could not load '.*unloadable.*\.onnx': .*QaicNoSuchOperator/, "onnxruntime's reason is in the message");
  t.equal(session.state, 'created', 'the session is not left half-active');
  t.equal(session._pool, undefined);
  const runError = await within(session.run({ x: new Float32Array(1) }).then(() => undefined, (e: unknown) => e), 30_000, 'run()');
  t.equal((runError as QaicError).code, 'QAIC_ACTIVATION_FAILED', 'run() tries again and fails the same way');
  const concurrent = await within(Promise.all([1, 2, 3].map(() => session.run({ x: new Float32Array(1) }).then(() => 'ok', (e: { code?: string }) => e.code))), 30_000, 'concurrent runs');
  t.same(concurrent, ['QAIC_ACTIVATION_FAILED', 'QAIC_ACTIVATION_FAILED', 'QAIC_ACTIVATION_FAILED']);
});

t.test('with the compiler in front, the same model fails as an unsupported operator with the onnxruntime reason', async (t) => {
  const session = new Session(unloadableModel());
  t.teardown(() => session.close());
  await t.rejects(within(session.setup(), 30_000, 'setup()'), { code: 'QAIC_UNSUPPORTED_OPERATOR', message: /operator QaicNoSuchOperator .*onnxruntime: .*No Op registered for QaicNoSuchOperator/ });
  await t.rejects(within(session.run({ x: new Float32Array(1) }), 30_000, 'run()'), { code: 'QAIC_UNSUPPORTED_OPERATOR' });
});

t.test('a file that is not ONNX fails at preparation with QAIC_MODEL_INVALID', async (t) => {
  const dir = t.testdir({ 'junk.onnx': 'this is not protobuf \xff\xff\xff' });
  const session = new Session(`${dir}/junk.onnx`);
  t.teardown(() => session.close());
  await t.rejects(within(session.setup(), 30_000, 'setup()'), { code: 'QAIC_MODEL_INVALID' });
});

t.test('BAD CALL - a missing model fails fast in the constructor, naming the path', async (t) => {
  t.throws(() => new Session('/nonexistent/dir/model.onnx'), { code: 'QAIC_FILE_NOT_FOUND', message: /'\/nonexistent\/dir\/model\.onnx' does not exist.*ENOENT/ });
});

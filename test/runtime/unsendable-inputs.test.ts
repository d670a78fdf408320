import t from 'tap';
import { Activation } from '../../lib/runtime/activation.js';
import { QaicError } from '../../lib/errors.js';
import { identityModel } from '../fixtures/models.js';

t.test('inputs postMessage cannot send are a QaicError and do not leak an in-flight slot', async (t) => {
  const activation = new Activation({ index: 0, modelPath: identityModel('float32'), sessionOptions: {} }, () => undefined);
  await activation.start(30_000);
  t.teardown(() => activation.stop(new QaicError('QAIC_ABORTED', 'test over')));
  const data = new Float32Array(6);
  // a buffer listed twice in a transfer list is a DataCloneError
  const error = await activation.run([{ type: 'float32', dims: [2, 3], data }], [data.buffer, data.buffer]).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof QaicError);
  t.equal((error as QaicError).code, 'QAIC_INTERNAL');
  t.match((error as QaicError).message, /could not be sent to the worker/);
  t.equal(activation.inFlight, 0, 'no request is counted in flight');
  const ok = await activation.run([{ type: 'float32', dims: [2, 3], data: new Float32Array(6).fill(2) }], []);
  t.equal((ok.outputs['y']!.data as Float32Array)[0], 2, 'the activation still works');
});

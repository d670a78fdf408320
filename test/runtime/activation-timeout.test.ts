import t from 'tap';
import { Session } from '../../lib/session.js';
import { DET_MODEL, within } from '../fixtures/models.js';

t.test('an activation that does not load within activation_timeout_ms fails setup() with QAIC_TIMEOUT', async (t) => {
  // 1 ms: no worker can even start onnxruntime in that time
  const session = new Session(DET_MODEL, { compile: false, activation_timeout_ms: 1 });
  t.teardown(() => session.close());
  await t.rejects(within(session.setup(), 30_000, 'setup()'), {
    code: 'QAIC_TIMEOUT',
    message: /activation 0 did not load '.*ch_PP-OCRv4_det_infer\.onnx' within 1 ms \(activation_timeout_ms\)/,
  });
  t.equal(session.state, 'created');
  t.equal(session._pool, undefined, 'no half-started pool is kept');
  await t.rejects(within(session.run({ x: { data: new Float32Array(3 * 32 * 32), shape: [1, 3, 32, 32] } }), 30_000, 'run()'), { code: 'QAIC_TIMEOUT' }, 'run() fails the same way');
});

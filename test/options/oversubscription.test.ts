import t from 'tap';
import { availableParallelism } from 'node:os';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

const cores = availableParallelism();

t.test('BAD CALL - more activation cores than the machine has is refused unless opted into', async (t) => {
  t.throws(() => new Session(identityModel('float32'), { num_activations: cores + 1 }), {
    code: 'QAIC_OVERSUBSCRIBED',
    message: new RegExp(`num_activations \\(${cores + 1}\\) × aic_num_cores \\(1\\) = ${cores + 1} cores, but this machine has ${cores}.*allow_oversubscription`),
  });
  t.throws(() => new Session(identityModel('float32'), { aic_num_cores: cores + 1 }), { code: 'QAIC_OVERSUBSCRIBED' });
});

t.test('with allow_oversubscription the activations share cores and do not spin', async (t) => {
  const session = new Session(identityModel('float32'), { num_activations: cores + 1, allow_oversubscription: true });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  t.equal(pool.activations.length, cores + 1);
  for (const a of pool.activations) {
    const extra = a.config.sessionOptions['extra'] as { session: Record<string, string> };
    t.equal(extra.session['intra_op.allow_spinning'], '0', `activation ${a.index}: intra-op spinning off`);
  }
  const out = await session.run({ x: new Float32Array(6).fill(1) });
  t.equal(out['y']!.data.length, 6);
});

t.test('within the core budget spinning is left to onnxruntime', async (t) => {
  const session = new Session(identityModel('float32'), { num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const config = session._pool!.activations[0]!.config;
  const extra = config.sessionOptions['extra'] as { session?: Record<string, string> } | undefined;
  t.equal(extra?.session?.['intra_op.allow_spinning'], undefined, 'allow_spinning not set');
  t.equal(config.sessionOptions['intraOpNumThreads'], 1);
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { identityModel, slowModel, until, within } from '../fixtures/models.js';

t.test('BAD CALL - every call after close() rejects with QAIC_SESSION_CLOSED', async (t) => {
  const session = new Session(identityModel('float32'));
  await session.setup();
  const activation = session._pool!.activations[0]!;
  await session.close();
  t.equal(session.state, 'closed');
  t.equal(activation.state, 'stopped', 'the worker was stopped');
  await session.close(); // idempotent
  await t.rejects(session.run({ x: new Float32Array(6) }), { code: 'QAIC_SESSION_CLOSED', message: /run\(\) was called on a closed session/ });
  await t.rejects(session.setup(), { code: 'QAIC_SESSION_CLOSED' });
  await t.rejects(session.reset(), { code: 'QAIC_SESSION_CLOSED' });
  await t.rejects(session.updateBackendOptions({ set_size: 2 }), { code: 'QAIC_SESSION_CLOSED' });
});

t.test('await using closes the session at the end of the block', async (t) => {
  let escaped: Session | undefined;
  {
    await using session = new Session(identityModel('float32'));
    await session.run({ x: new Float32Array(6) });
    escaped = session;
  }
  t.equal(escaped.state, 'closed');
  await t.rejects(escaped.run({ x: new Float32Array(6) }), { code: 'QAIC_SESSION_CLOSED' });
});

t.test('close() during in-flight and queued runs rejects them all, none left pending', async (t) => {
  const session = new Session(slowModel(), { set_size: 1 });
  await session.setup();
  const runs = [0, 1, 2].map(() => session.run({ x: new Float32Array(512 * 512) }).then(() => 'resolved', (e: { code?: string }) => e.code));
  await until(() => session._pool!.inFlight === 1 && session._pool!.queued === 2, 10_000, 'one run in flight and two queued');
  t.equal(session._pool!.inFlight, 1, 'one in flight');
  t.equal(session._pool!.queued, 2, 'two queued');
  await session.close();
  const outcomes = await within(Promise.all(runs), 5000, 'runs after close()');
  t.same(outcomes, ['QAIC_SESSION_CLOSED', 'QAIC_SESSION_CLOSED', 'QAIC_SESSION_CLOSED']);
});

t.test('close() during activation: setup() and a waiting run() reject with QAIC_SESSION_CLOSED', async (t) => {
  const session = new Session(identityModel('float32'));
  const setup = session.setup().then(() => 'resolved', (e: { code?: string }) => e.code);
  const run = session.run({ x: new Float32Array(6) }).then(() => 'resolved', (e: { code?: string }) => e.code);
  await session.close();
  t.same(await within(Promise.all([setup, run]), 5000, 'calls after close()'), ['QAIC_SESSION_CLOSED', 'QAIC_SESSION_CLOSED']);
  t.equal(session._pool, undefined);
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel, until, within } from '../fixtures/models.js';

t.test('AbortSignal on a queued run drops it; on an in-flight run rejects it; others are unaffected', async (t) => {
  const session = new Session(slowModel(400), { set_size: 1 }); // ~0.5 s runs: still in flight when the test acts, even on a loaded machine
  t.teardown(() => session.close());
  await session.setup();
  const inFlightCtl = new AbortController();
  const queuedCtl = new AbortController();
  const first = session.run({ x: new Float32Array(512 * 512) }, { signal: inFlightCtl.signal }).then(() => 'ok', (e: { code?: string }) => e.code);
  const second = session.run({ x: new Float32Array(512 * 512) }, { signal: queuedCtl.signal }).then(() => 'ok', (e: { code?: string }) => e.code);
  const third = session.run({ x: new Float32Array(512 * 512).fill(1) }).then((o) => o['y']!.shape, (e: { code?: string }) => e.code);
  await until(() => session._pool!.inFlight === 1 && session._pool!.queued === 2, 10_000, 'one run in flight and two queued');
  t.equal(session._pool!.queued, 2);
  queuedCtl.abort();
  t.equal(await within(second, 1000, 'the aborted queued run'), 'QAIC_ABORTED');
  t.equal(session._pool!.queued, 1, 'it left the queue');
  inFlightCtl.abort();
  t.equal(await within(first, 1000, 'the aborted in-flight run'), 'QAIC_ABORTED', 'rejected at once, without waiting for onnxruntime');
  t.same(await within(third, 10_000, 'the third run'), [512, 512], 'the run behind them completes');
});

t.test('an already-aborted signal rejects without running', async (t) => {
  const session = new Session(slowModel(2));
  t.teardown(() => session.close());
  await session.setup();
  const reason = new Error('caller gave up');
  const error = await session.run({ x: new Float32Array(512 * 512) }, { signal: AbortSignal.abort(reason) }).then(() => undefined, (e: unknown) => e) as { code?: string; cause?: unknown };
  t.equal(error?.code, 'QAIC_ABORTED');
  t.equal(error?.cause, reason, "the signal's reason is the cause");
  t.equal(session._pool!.activations[0]!.completed, 0, 'nothing ran');
});

t.test('an already-aborted signal on a session not yet activated does not activate it', async (t) => {
  const session = new Session(slowModel(2));
  t.teardown(() => session.close());
  await t.rejects(session.run({ x: new Float32Array(512 * 512) }, { signal: AbortSignal.abort() }), { code: 'QAIC_ABORTED' });
  t.equal(session.state, 'created');
  t.equal(session._pool, undefined);
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel, until, within } from '../fixtures/models.js';

t.test('a worker that dies mid-inference rejects its run with QAIC_ACTIVATION_CRASHED and is replaced', async (t) => {
  // ~0.5-1 s runs: the kill, sent as soon as the run is dispatched, lands mid-run unless the machine stalls this
  // process for that long
  const session = new Session(slowModel(400), { num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const victim = session._pool!.activations[0]!;
  const oldThread = victim.threadId;
  const inFlight = session.run({ x: new Float32Array(512 * 512) });
  const outcome = inFlight.then(() => undefined, (e: unknown) => e);
  await until(() => victim.inFlight === 1, 10_000, 'the run being dispatched');
  t.equal(victim.inFlight, 1, 'the run is in flight when the worker dies');
  await victim.killForTesting();
  const error = await within(outcome, 10_000, 'the in-flight run') as { code?: string; message?: string };
  t.equal(error?.code, 'QAIC_ACTIVATION_CRASHED');
  t.match(error?.message, /activation 0's worker thread exited \(code 70\) with 1 request\(s\) in flight/);
  t.equal(victim.state, 'dead');
  // the replacement loads in the background; the next run waits for it
  const out = await within(session.run({ x: new Float32Array(512 * 512).fill(1) }), 30_000, 'the run after the crash');
  t.equal(out['y']!.shape[0], 512, 'the next run works');
  const replacement = session._pool!.activations[0]!;
  t.not(replacement, victim, 'activation 0 was replaced');
  t.not(replacement.threadId, oldThread, 'by a new worker thread');
  t.equal(replacement.index, 0, 'keeping its index');
});

t.test('queued runs survive the crash of the activation they wait for', async (t) => {
  // ~0.5 s runs: the kill, sent as soon as the runs are dispatched, lands mid-run unless the machine stalls this
  // process for that long; the replacement then runs the two queued ones to the end
  const session = new Session(slowModel(400), { num_activations: 1, set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  const runs = [0, 1, 2].map((i) => session.run({ x: new Float32Array(512 * 512).fill(i) }).then((o) => (o['y']!.data as Float32Array)[0], (e: { code?: string }) => e.code));
  await until(() => pool.inFlight === 1 && pool.queued === 2, 10_000, 'one run in flight and two queued');
  await pool.activations[0]!.killForTesting();
  const outcomes = await within(Promise.all(runs), 30_000, 'runs around the crash');
  t.equal(outcomes[0], 'QAIC_ACTIVATION_CRASHED', 'the one in flight fails');
  t.same(outcomes.slice(1), [1, 2], 'the queued ones run on the replacement, with their own inputs');
});

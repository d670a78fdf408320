import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel, identityModel } from '../fixtures/models.js';

function firstInferenceWarnings(t: { teardown: (fn: () => void) => void }): Error[] {
  const seen: Error[] = [];
  const listener = (w: Error): void => {
    if ((w as Error & { code?: string }).code === 'QAIC_FIRST_INFERENCE') seen.push(w);
  };
  process.on('warning', listener);
  t.teardown(() => process.off('warning', listener));
  return seen;
}

t.test('setup() activates early; a run after it does not warn about activation', async (t) => {
  const warnings = firstInferenceWarnings(t);
  const session = new Session(identityModel('float32'));
  t.teardown(() => session.close());
  t.equal(session.state, 'created', 'construction does not activate');
  t.equal(session._pool, undefined);
  await session.setup();
  t.equal(session.state, 'active');
  t.equal(session._pool!.activations.length, 1);
  t.ok(session._pool!.activations[0]!.threadId > 0, 'a worker thread runs');
  await session.setup();
  t.equal(session._pool!.activations.length, 1, 'setup() again is a no-op');
  await session.run({ x: new Float32Array(6) });
  await new Promise((r) => setImmediate(r));
  t.equal(warnings.length, 0);
});

t.test('the first run without setup() activates and warns once, even with concurrent first runs', async (t) => {
  const warnings = firstInferenceWarnings(t);
  const session = new Session(addOneModel(), { num_activations: 2 });
  t.teardown(() => session.close());
  const outs = await Promise.all([1, 2, 3].map((v) => session.run({ x: { data: new Float32Array(4).fill(v), shape: [1, 4] } })));
  t.same(outs.map((o) => (o['y']!.data as Float32Array)[0]), [2, 3, 4]);
  await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
  await new Promise((r) => setImmediate(r));
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0]!.message, /Activating network, this will add up to time of first inference/);
});

t.test('reset() releases the workers and the next run re-activates', async (t) => {
  const session = new Session(addOneModel());
  t.teardown(() => session.close());
  await session.setup();
  const before = session._pool!.activations[0]!;
  await session.reset();
  t.equal(session.state, 'created');
  t.equal(session._pool, undefined, 'no pool after reset');
  t.equal(before.state, 'stopped', 'the old activation is stopped');
  t.equal(before.threadId, -1, 'its worker is gone');
  const out = await session.run({ x: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] } });
  t.same([...(out['y']!.data as Float32Array)], [2, 3, 4, 5]);
  t.equal(session.state, 'active');
  t.not(session._pool!.activations[0], before, 'a new activation');
});

t.test('reset() during activation: the activation is abandoned, nothing leaks, and the session activates again', async (t) => {
  const session = new Session(identityModel('float32'), { num_activations: 2 });
  t.teardown(() => session.close());
  const setup = session.setup();
  const settled = setup.then(() => 'resolved', (e: { code?: string }) => e.code);
  const waitingRun = session.run({ x: new Float32Array(6) }).then(() => 'resolved', (e: { code?: string }) => e.code);
  await session.reset();
  const outcome = await settled;
  t.equal(outcome, 'QAIC_ABORTED', 'the interrupted setup() rejects with QAIC_ABORTED');
  t.equal(await waitingRun, 'QAIC_ABORTED', 'so does a run() that was waiting for that activation');
  t.equal(session.state, 'created');
  t.equal(session._pool, undefined);
  await session.setup();
  t.equal(session.state, 'active');
  t.equal(session._pool!.activations.length, 2);
  const out = await session.run({ x: new Float32Array(6).fill(3) });
  t.equal((out['y']!.data as Float32Array)[5], 3);
});

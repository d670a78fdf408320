/**
 * The native engine keeps the pool's dispatch (issue 13): set_size caps the runs in flight per activation, the rest
 * queue in call order, runs go to the activation with the fewest in flight, and concurrent runs with distinct inputs
 * each get their own outputs.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel, slowModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

const skip = NATIVE_SKIP;

t.test('set_size 1 over 2 native activations: at most one in flight each, the rest queued, all answered', { skip }, async (t) => {
  const session = new Session(slowModel(10), { engine: 'native', num_activations: 2, set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  t.equal(session.engine, 'native');
  const pool = session._pool!;
  let maxPerActivation = 0;
  const sample = (): void => {
    for (const a of pool.activations) maxPerActivation = Math.max(maxPerActivation, a.inFlight);
  };
  const runs = Array.from({ length: 8 }, (_, i) => {
    const p = session.run({ x: new Float32Array(512 * 512).fill(i) });
    sample();
    return p.then((o) => {
      sample();
      return (o['y']!.data as Float32Array)[0];
    });
  });
  t.equal(pool.queued, 6, '6 of 8 wait in the queue');
  t.same(pool.activations.map((a) => a.inFlight), [1, 1], 'least in flight: one run on each activation');
  const firsts = await Promise.all(runs);
  t.equal(maxPerActivation, 1, 'never more than set_size in flight on an activation');
  t.equal(firsts.length, 8);
  t.ok(pool.activations.every((a) => a.completed > 0), 'both activations served runs');
});

t.test('200 concurrent runs with distinct inputs and shapes each get their own outputs', { skip }, async (t) => {
  const session = new Session(addOneModel(), { engine: 'native', num_activations: 2 });
  t.teardown(() => session.close());
  const outs = await Promise.all(Array.from({ length: 200 }, (_, i) => {
    const rows = 1 + (i % 3);
    return session.run({ x: { data: new Float32Array(rows * 4).map((_, j) => i * 1000 + j), shape: [rows, 4] } });
  }));
  let wrong = 0;
  outs.forEach((o, i) => {
    const y = o['y']!.data as Float32Array;
    if (y.length !== (1 + (i % 3)) * 4) wrong++;
    else for (let j = 0; j < y.length; j++) if (y[j] !== i * 1000 + j + 1) wrong++;
  });
  t.equal(wrong, 0, 'every run got its own outputs');
});

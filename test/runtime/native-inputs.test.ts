/**
 * The native engine's input contract (issue 13): inputs are copied at run(), never detached, so the caller may change
 * its arrays as soon as run() returns, also for a run that has to wait in the queue for a free activation.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native.js';

t.test('a queued run computes on the inputs as they were at run(), and the arrays stay attached', { skip: NATIVE_SKIP }, async (t) => {
  // every row and column of the weight sums to 1: a constant input stays that constant
  const session = new Session(slowModel(20), { engine: 'native', set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const first = new Float32Array(512 * 512).fill(2);
  const second = new Float32Array(512 * 512).fill(1);
  const a = session.run({ x: first });
  const b = session.run({ x: second });
  t.equal(session._pool!.queued, 1, 'the second run waits in the queue');
  t.equal(first.length, 512 * 512, 'the sent array is not detached');
  second.fill(5);
  first.fill(7);
  const [ya, yb] = await Promise.all([a, b]);
  t.ok(Math.abs((ya['y']!.data as Float32Array)[0]! - 2) < 1e-3, 'the first run saw its inputs as given');
  t.ok(Math.abs((yb['y']!.data as Float32Array)[0]! - 1) < 1e-3, 'the queued run saw its inputs as they were at run()');
});

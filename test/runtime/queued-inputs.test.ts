/**
 * The input contract at run(), the same on both engines: the caller's arrays are taken over when run() returns (detached,
 * their memory going to the activation without a copy), not when the request reaches an activation, so a run that
 * waits in the queue computes on the inputs as they were at run(); with copy_inputs they are copied then and stay
 * usable.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

for (const engine of ['native', 'worker'] as const) {
  const skip = engine === 'native' ? NATIVE_SKIP : false;

  t.test(`${engine}: a queued run's arrays are detached at run(), and it computes on what they held then`, { skip }, async (t) => {
    // every row and column of the weight sums to 1: a constant input stays that constant
    const session = new Session(slowModel(20), { engine, set_size: 1 });
    t.teardown(() => session.close());
    await session.setup();
    t.equal(session.engine, engine);
    const first = new Float32Array(512 * 512).fill(2);
    const second = new Float32Array(512 * 512).fill(1);
    const a = session.run({ x: first });
    const b = session.run({ x: second });
    t.equal(session._pool!.queued, 1, 'the second run waits in the queue');
    t.equal(first.length, 0, 'the sent array is detached');
    t.equal(second.length, 0, 'the queued array is detached too, before any activation took it');
    const [ya, yb] = await Promise.all([a, b]);
    t.ok(Math.abs((ya['y']!.data as Float32Array)[0]! - 2) < 1e-3, 'the first run saw its inputs as given');
    t.ok(Math.abs((yb['y']!.data as Float32Array)[0]! - 1) < 1e-3, 'the queued run saw its inputs as given');
  });

  t.test(`${engine}: with copy_inputs a queued run computes on its inputs as they were at run(), and the arrays stay usable`, { skip }, async (t) => {
    const session = new Session(slowModel(20), { engine, set_size: 1, copy_inputs: true });
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
}

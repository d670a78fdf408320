import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel, slowModel, within } from '../fixtures/models.js';

t.test('whenIdle() resolves at once on an idle pool, and only after every queued and in-flight request has settled', async (t) => {
  const session = new Session(slowModel(40), { set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  await within(pool.whenIdle(), 1000, 'whenIdle on an idle pool');
  const settled: number[] = [];
  const runs = [0, 1, 2].map((i) => session.run({ x: new Float32Array(512 * 512) }).then(() => settled.push(i)));
  t.equal(pool.inFlight + pool.queued, 3, 'one in flight, two queued');
  await within(pool.whenIdle(), 60_000, 'whenIdle after three runs');
  t.equal(pool.inFlight + pool.queued, 0, 'idle');
  await Promise.all(runs);
  t.same(settled.sort(), [0, 1, 2], 'every run completed');
});

t.test('whenIdle() resolves when the waiting requests are aborted or the pool stops', async (t) => {
  const session = new Session(slowModel(40), { set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  const controller = new AbortController();
  const first = session.run({ x: new Float32Array(512 * 512) });
  const queued = session.run({ x: new Float32Array(512 * 512) }, { signal: controller.signal });
  const idle = pool.whenIdle();
  controller.abort();
  await t.rejects(queued, { code: 'QAIC_ABORTED' });
  await first;
  await within(idle, 60_000, 'whenIdle after an abort and a completion');

  const again = session.run({ x: new Float32Array(512 * 512) });
  const idleAgain = pool.whenIdle();
  const reset = session.reset();
  await t.rejects(again, { code: 'QAIC_ABORTED' });
  await within(idleAgain, 60_000, 'whenIdle after stop');
  await reset;
});

t.test('updateBackendOptions() lets the old activations finish their requests before stopping them', async (t) => {
  const session = new Session(addOneModel(), { set_size: 4 });
  t.teardown(() => session.close());
  await session.setup();
  const runs = [1, 2, 3, 4].map((v) => session.run({ x: { data: new Float32Array(4).fill(v), shape: [1, 4] } }));
  await session.updateBackendOptions({ num_activations: 2 });
  const outs = await Promise.all(runs);
  t.same(outs.map((o) => o['y']!.data[0]), [2, 3, 4, 5], 'every request in flight during the change completed');
});

import t from 'tap';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { addOneModel, within } from '../fixtures/models.js';

// whenReady() is a promise the runtime settles when loading ends: callers (runBenchmark) await it instead of polling
// the activations' states.

t.test('whenReady() resolves at once when every activation is ready, and after a crash only once the replacement is', async (t) => {
  const session = new Session(addOneModel(), { num_activations: 2, aic_num_cores: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  await within(pool.whenReady(), 10_000, 'whenReady on a ready runtime');
  t.same(pool.activations.map((a) => a.state), ['ready', 'ready'], 'both ready');

  const victim = pool.activations[1]!;
  await victim.killForTesting();
  // the replacement's worker cannot have loaded yet: its ready message needs turns of the event loop
  t.equal(pool.activations.filter((a) => a.state === 'ready').length, 1, 'one activation is being replaced');
  const ready = pool.whenReady();
  await within(ready, 60_000, 'whenReady after a crash');
  t.equal(pool.activations.length, 2, 'two activations again');
  t.same(pool.activations.map((a) => a.state), ['ready', 'ready'], 'both ready when it resolves');
  t.not(pool.activations[1], victim, 'activation 1 is the replacement');
});

t.test('whenReady() resolves when a replacement fails to load, and when the runtime stops', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'model.onnx');
  copyFileSync(addOneModel(), path);
  // compile: false: activations load this very file, so deleting it makes the replacement fail
  const session = new Session(path, { compile: false, num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const pool = session._pool!;
  rmSync(path);
  await pool.activations[0]!.killForTesting();
  await within(pool.whenReady(), 60_000, 'whenReady after a failed replacement');
  t.equal(pool.activations.length, 0, 'no activation came back');

  copyFileSync(addOneModel(), path);
  await session.reset();
  await session.setup();
  const again = session._pool!;
  await again.activations[0]!.killForTesting();
  const ready = again.whenReady();
  await session.reset();
  await within(ready, 10_000, 'whenReady on a stopped runtime');
  await within(again.whenReady(), 1000, 'whenReady after stop');
  t.pass('both resolved');
});

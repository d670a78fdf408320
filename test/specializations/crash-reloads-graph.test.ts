import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { tempDir } from '../program/helpers.js';
import { until } from '../fixtures/models.js';
import { convModel } from './helpers.js';

// An activation that dies after it loaded its second graph is replaced by one that has loaded only the first: the
// replacement must load the second again on its first run of it, not fail or send the run to the wrong graph.
t.test('a replaced activation loads the other graphs again on first use', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program);
  t.teardown(() => session.close());
  await session.setup();
  const portrait = (): { x: { data: Float32Array; shape: number[] } } => ({ x: { data: new Float32Array(48).fill(1), shape: [1, 2, 6, 4] } });
  const before = await session.run(portrait());
  const pool = session._pool!;
  const dead = pool.activations[0]!;
  await dead.killForTesting();
  await until(() => pool.activations.length === 1 && pool.activations[0] !== dead && pool.activations[0]!.state === 'ready', 30_000, 'the replacement');
  const after = await session.run(portrait());
  t.same(after.y!.shape, [1, 8, 6, 4]);
  t.same([...(after.y!.data as Float32Array)], [...(before.y!.data as Float32Array)], 'the same output as before the crash');
  const landscape = await session.run({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } });
  t.same(landscape.y!.shape, [1, 8, 4, 6]);
});

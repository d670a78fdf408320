import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { lcgFloats, maxAbsDiff, tempDir } from '../program/helpers.js';
import { convModel, referenceRun } from './helpers.js';

// The two features meet in the child process: the child relays the worker protocol unchanged, so the graph index
// and the output list of a run must reach the worker inside it, and graphs loaded on first use must load there.
t.test("graph 'auto' and output selection work with isolation: 'process'", async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const program = (await compile(path, { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { isolation: 'process', num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  for (const dims of [[1, 2, 4, 6], [1, 2, 6, 4], [1, 2, 4, 6]]) {
    const data = lcgFloats(48, dims[2]!);
    const out = await session.run({ x: { data: data.slice(), shape: dims } });
    const ref = await referenceRun(path, 'x', data, dims);
    t.same(out.y!.shape, [1, 8, dims[2], dims[3]], `a ${dims.join('x')} input ran on its graph`);
    t.ok(maxAbsDiff(out.y!.data as Float32Array, ref.y!) < 1e-5, 'equal to onnxruntime on the source model');
  }
  const selected = await session.run({ x: { data: lcgFloats(48, 9), shape: [1, 2, 6, 4] } }, { outputs: ['z'] });
  t.same(Object.keys(selected), ['z'], 'only the selected output crossed back');
});

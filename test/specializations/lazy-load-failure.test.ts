import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { QaicError } from '../../lib/errors.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

// A graph is loaded by each activation on its first run: when that load fails, the run that asked gets a typed
// error, the other graph keeps serving, and the next run of that graph tries the load again.
t.test('a graph that cannot be loaded on first use fails its runs only, and is retried', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program);
  t.teardown(() => session.close());
  await session.setup();
  const graphFile = join(program, 'programqpc.6x4.onnx');
  // make the graph loadable (verified, its file prepared), as its first run would, then spoil the file before any
  // activation loads it
  await session.graph!.loadGraph(1);
  const good = readFileSync(graphFile);
  writeFileSync(graphFile, 'not an onnx model');
  // a fresh array per run: run() transfers (detaches) the buffers it is given
  const portrait = (): { x: { data: Float32Array; shape: number[] } } => ({ x: { data: new Float32Array(48), shape: [1, 2, 6, 4] } });
  const failed = await session.run(portrait()).then(() => undefined, (e: unknown) => e as QaicError);
  t.equal(failed?.code, 'QAIC_ACTIVATION_FAILED', String(failed?.message));
  t.match(failed?.message ?? '', /could not load graph 1/);
  const landscape = await session.run({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } });
  t.same(landscape.y!.shape, [1, 8, 4, 6], 'the loaded graph keeps serving');
  writeFileSync(graphFile, good);
  const retried = await session.run(portrait());
  t.same(retried.y!.shape, [1, 8, 6, 4], 'the next run loads the graph again');
});

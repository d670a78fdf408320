import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { tempDir } from '../program/helpers.js';
import { addGraph, programOf } from './helpers.js';

// Start-up makes only the first graph of a program loadable (verify its section, decode it, write the file
// onnxruntime loads); the others are made so when a run or a benchmark first needs them, once.

async function rejection(promise: Promise<unknown>): Promise<QaicError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as QaicError);
}

t.test('the graphs after the first are made loadable on first use, once', async (t) => {
  const dir = await programOf(join(tempDir(t), 'p'), [addGraph('wide', 'float32', 1, [1, 4]), addGraph('tall', 'float32', 10, [4, 1]), addGraph('square', 'float32', 100, [2, 2])]);
  const session = new Session(dir, { num_activations: 2, allow_oversubscription: true });
  t.teardown(() => session.close());
  await session.setup();
  const graphs = session.graph!.graphs;
  t.not(graphs[0]!.modelPath, '', 'the first graph is loadable at start');
  t.same(graphs.slice(1).map((g) => g.modelPath), ['', ''], 'the others are not made loadable at start');
  t.same(session._pool!.activations.map((a) => a.config.graphs!.map((g) => g.modelPath)), [['', ''], ['', '']], 'and no activation is given their files');

  const outs = await Promise.all([1, 2, 3, 4].map(() => session.run({ x: { data: new Float32Array(4), shape: [4, 1] } })));
  t.same(outs.map((o) => Array.from(o.y!.data as Float32Array)), Array.from({ length: 4 }, () => [10, 10, 10, 10]), 'concurrent first runs of a graph all get it');
  t.not(graphs[1]!.modelPath, '', 'made loadable by its first runs');
  t.equal(graphs[2]!.modelPath, '', 'a graph never asked for stays as it was');
  const bench = await session.runBenchmark({ graph: 'square', num_inferences: 4, emitWarnings: false });
  t.equal(bench.inf_completed, 4, 'a benchmark of a graph not used before makes it loadable too');
  t.not(graphs[2]!.modelPath, '');
  const square = await session.run({ x: { data: new Float32Array(4), shape: [2, 2] } });
  t.same(Array.from(square.y!.data as Float32Array), [100, 100, 100, 100]);
});

t.test('a graph that cannot be loaded on this host fails its own runs only, not start-up', async (t) => {
  const dir = await programOf(join(tempDir(t), 'p'), [addGraph('here', 'float32', 1, [1, 4]), addGraph('elsewhere', 'float32', 10, [4, 1], ['qaic_test_no_such_cpu_feature'])]);
  const session = new Session(dir);
  t.teardown(() => session.close());
  await session.setup();
  const refused = await rejection(session.run({ x: { data: new Float32Array(4), shape: [4, 1] } }));
  t.equal(refused.code, 'QAIC_PROGRAM_HOST_MISMATCH', refused.message);
  t.match(refused.message, /graph 'elsewhere'/);
  const again = await rejection(session.run({ x: { data: new Float32Array(4), shape: [4, 1] } }));
  t.equal(again.code, 'QAIC_PROGRAM_HOST_MISMATCH', 'tried again, and refused again');
  const out = await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
  t.same(Array.from(out.y!.data as Float32Array), [1, 1, 1, 1], 'the graph this host can run still serves');
});

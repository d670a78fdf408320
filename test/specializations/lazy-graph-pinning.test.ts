import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { loadAffinity } from '../../lib/runtime/affinity.js';
import { lcgFloats, tempDir } from '../program/helpers.js';
import { convModel, referenceRun } from './helpers.js';

const pinning = loadAffinity();
const allowed = pinning.available ? pinning.current() : [];
const skip = !pinning.available ? `pinning off: ${pinning.reason}` : allowed.length < 2 ? 'needs 2 CPUs for a pool thread to pin' : false;

function affinities(options: Record<string, unknown>): unknown {
  return ((options.extra as { session?: Record<string, unknown> } | undefined)?.session ?? {})['intra_op_thread_affinities'];
}

// With pin_cores, the graphs an activation loads on first use run their onnxruntime pool threads on the activation's
// CPUs, as graph 0's do: each graph's session options carry the same affinities.
t.test('a graph loaded on first use is pinned like the graph loaded at start', { skip }, async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const program = (await compile(path, { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { pin_cores: true, aic_num_cores: 2, num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const activation = session._pool!.activations[0]!;
  t.same(activation.pinnedCpus, allowed.slice(0, 2), 'the worker is pinned');
  const first = affinities(activation.config.sessionOptions);
  t.type(first, 'string', `graph 0's pool threads are pinned (${String(first)})`);
  t.equal(activation.config.graphs?.length, 1);
  t.equal(affinities(activation.config.graphs![0]!.sessionOptions), first, 'the graph loaded on first use gets the same affinities');
  const data = lcgFloats(48, 3);
  const out = await session.run({ x: { data: data.slice(), shape: [1, 2, 6, 4] } });
  const ref = await referenceRun(path, 'x', data, [1, 2, 6, 4]);
  t.ok(Math.max(...Array.from(out.y!.data as Float32Array, (v, i) => Math.abs(v - ref.y![i]!))) < 1e-5, 'onnxruntime loaded it with those affinities and it computes as the source model');
});

/**
 * run({ outputs }) on a strict subset of the outputs runs the graph pruned to them: the other outputs' nodes are not
 * computed. The proof is a branch that fails whenever it runs (a Reshape fed a shape that does not fit): a run that
 * executed it would fail, whatever its fetch list. The Session suite runs on both engines (see .ci/run).
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { QaicError } from '../../lib/errors.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { MAX_PRUNED_GRAPHS } from '../../lib/runtime/pruned-graphs.js';
import { writeModel } from '../fixtures/models.js';

const N = 64;

/**
 * x [1, N] and s [1] (int64). cheap = x + x; heavy = ((x W) W) W with W [N, N] (a weight stored in the program's
 * weight section); neg = -x; bad = Reshape(x, s), which fails unless s = [N].
 */
function branchyModel(): string {
  const w = new Float32Array(N * N);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 7919) % 97) / 970 - 0.05;
  return writeModel(model(graph({
    nodes: [
      node('Add', ['x', 'x'], ['cheap']),
      node('MatMul', ['x', 'w'], ['h1']), node('MatMul', ['h1', 'w'], ['h2']), node('MatMul', ['h2', 'w'], ['heavy']),
      node('Neg', ['x'], ['neg']),
      node('Reshape', ['x', 's'], ['bad']),
    ],
    inputs: [tensorInfo('x', 'float32', [1, N]), tensorInfo('s', 'int64', [1])],
    outputs: [tensorInfo('cheap', 'float32', [1, N]), tensorInfo('heavy', 'float32', [1, N]), tensorInfo('neg', 'float32', [1, N]), tensorInfo('bad', 'float32', null)],
    initializers: [initializer('w', 'float32', [N, N], w)],
  })), 'branchy');
}

const x = (): Float32Array => Float32Array.from({ length: N }, (_, i) => (i % 13) / 13 - 0.4);
const fits = (): BigInt64Array => BigInt64Array.from([BigInt(N)]);
const misfits = (): BigInt64Array => BigInt64Array.from([7n]);

/** The pruned-model folders under the OS temp dir now. */
function prunedDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('qaic-pruned-')).map((n) => join(tmpdir(), n));
}

/**
 * Point the OS temp dir (TMPDIR, which os.tmpdir() reads on every call) at `dir` until the test ends: the test then
 * counts only its own session's folders, not those of test files running beside it.
 */
function privateTmpdir(t: Test, dir: string): void {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  t.teardown(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });
}

t.test('a pruned run gives the full graph\'s values and skips the branch it does not need', async (t) => {
  const source = branchyModel();
  const program = await compile(source, { output_dir: join(t.testdir({ program: {}, tmp: {} }), 'program') });
  // on the program's filesystem, so that the weights can be hard-linked
  privateTmpdir(t, join(t.testdirName, 'tmp'));
  const before = new Set(prunedDirs());
  const session = new Session(program.programDir, { num_activations: 2 });
  t.teardown(() => session.close());

  const full = await session.run({ x: x(), s: fits() });
  t.comment(`engine: ${session.engine}`);
  const asked = process.env.QAIC_ENGINE;
  if (asked === 'worker' || asked === 'native') t.equal(session.engine, asked, 'the engine QAIC_ENGINE asks for');
  t.same(Object.keys(full).sort(), ['bad', 'cheap', 'heavy', 'neg']);
  const failed = await session.run({ x: x(), s: misfits() }).then(() => undefined, (e: unknown) => e) as QaicError;
  t.equal(failed?.code, 'QAIC_RUN_FAILED', 'the whole graph fails on a misfit shape: the Reshape branch runs');

  // 4 runs over 2 activations: each loads the pruned graph on its first run of it
  for (let i = 0; i < 4; i++) {
    const [one, two] = await Promise.all([
      session.run({ x: x(), s: misfits() }, { outputs: ['heavy'] }),
      session.run({ x: x(), s: misfits() }, { outputs: ['neg', 'cheap'] }),
    ]);
    t.same(Object.keys(one), ['heavy'], 'only the output asked for');
    t.same(one.heavy!.data, full.heavy!.data, 'heavy equals the full graph\'s, exactly');
    t.same(one.heavy!.shape, [1, N]);
    t.same(Object.keys(two).sort(), ['cheap', 'neg']);
    t.same(two.cheap!.data, full.cheap!.data);
    t.same(two.neg!.data, full.neg!.data);
  }

  // the weights are the program's own file, hard-linked beside the pruned model: no copy on disk or in memory
  const made = prunedDirs().filter((d) => !before.has(d));
  t.equal(made.length, 1, 'one folder of pruned models for the session');
  const weights = join(program.programDir, 'programqpc.bin');
  t.equal(statSync(weights).nlink, 2, "programqpc.bin is linked once: by heavy's pruned model (cheap and neg read no weight)");
  const selectedAll = await session.run({ x: x(), s: fits() }, { outputs: ['bad', 'neg', 'heavy', 'cheap'] });
  t.same(Object.keys(selectedAll).sort(), ['bad', 'cheap', 'heavy', 'neg'], 'every output named: the full graph');

  const unknown = await session.run({ x: x(), s: fits() }, { outputs: ['heavy', 'nope'] }).then(() => undefined, (e: unknown) => e) as QaicError;
  t.equal(unknown?.code, 'QAIC_INVALID_ARGUMENT', 'an unknown name is still a typed error');
  t.same(unknown.details.outputs, ['cheap', 'heavy', 'neg', 'bad']);
  const missing = await session.run({ x: x() } as never, { outputs: ['heavy'] }).then(() => undefined, (e: unknown) => e) as QaicError;
  t.equal(missing?.code, 'QAIC_INPUT_MISSING', 'every input of the graph is still required');

  await session.reset();
  const again = await session.run({ x: x(), s: misfits() }, { outputs: ['heavy'] });
  t.same(again.heavy!.data, full.heavy!.data, 'after reset() the new activations load the pruned graph again');

  await session.close();
  t.same(prunedDirs().filter((d) => !before.has(d)), [], 'close() removes the pruned models');
  t.equal(statSync(weights).nlink, 1, 'and only its own links: the program keeps its weights');
});

/** /dev/shm, when it is another filesystem than the checkout's (a hard link across the two fails with EXDEV). */
const otherFilesystem = ((): string | undefined => {
  try {
    return statSync('/dev/shm').isDirectory() && statSync('/dev/shm').dev !== statSync(process.cwd()).dev ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
})();

t.test('where no hard link can be made, the kept weights are copied into the pruned model', { skip: otherFilesystem === undefined ? 'no second filesystem at /dev/shm' : false }, async (t) => {
  // a folder of this test's own on the other filesystem: other test files may prune under /dev/shm meanwhile
  const other = mkdtempSync(join(otherFilesystem!, 'qaic-prune-test-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  const program = await compile(branchyModel(), { output_dir: t.testdir() });
  const session = new Session(program.programDir);
  t.teardown(() => session.close());
  const full = await session.run({ x: x(), s: fits() });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = other;
  let heavy;
  try {
    // the pruned model's folder is made (under TMPDIR) on the first pruned run
    heavy = await session.run({ x: x(), s: misfits() }, { outputs: ['heavy'] });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  t.same(heavy.heavy!.data, full.heavy!.data, 'the same values from inline weights');
  t.equal(statSync(join(program.programDir, 'programqpc.bin')).nlink, 1, 'no link was made');
  const made = readdirSync(other).filter((n) => n.startsWith('qaic-pruned-'));
  t.equal(made.length, 1, 'the pruned model is in the temp dir asked for');
  t.same(readdirSync(join(other, made[0]!, 'pruned-1')), ['model.onnx'], 'alone: its weights are inside it');
  await session.close();
  t.same(readdirSync(other).filter((n) => made.includes(n)), [], 'close() removes it');
});

t.test('a plain model (compile: false) is pruned too', async (t) => {
  const session = new Session(branchyModel(), { compile: false });
  t.teardown(() => session.close());
  const full = await session.run({ x: x(), s: fits() });
  const heavy = await session.run({ x: x(), s: misfits() }, { outputs: ['heavy'] });
  t.same(heavy.heavy!.data, full.heavy!.data);
});

t.test(`past ${MAX_PRUNED_GRAPHS} output sets a graph runs whole, fetching the named outputs, and warns once`, async (t) => {
  const session = new Session(branchyModel(), { compile: false });
  t.teardown(() => session.close());
  const warnings: Error[] = [];
  const listen = (w: Error): void => { if ((w as Error & { code?: string }).code === 'QAIC_OUTPUTS_NOT_PRUNED') warnings.push(w); };
  process.on('warning', listen);
  t.teardown(() => { process.off('warning', listen); });
  const full = await session.run({ x: x(), s: fits() });
  const names = ['cheap', 'heavy', 'neg', 'bad'];
  // every strict subset of the four outputs (14), those with 'bad' first: the first MAX_PRUNED_GRAPHS are pruned
  const subsets: string[][] = [];
  for (let mask = 1; mask < 15; mask++) subsets.push(names.filter((_, i) => (mask & (1 << i)) !== 0));
  subsets.sort((a, b) => Number(b.includes('bad')) - Number(a.includes('bad')));
  const pruned = subsets.slice(0, MAX_PRUNED_GRAPHS);
  t.same(pruned[MAX_PRUNED_GRAPHS - 1], ['cheap'], 'the 7 sets with bad, then cheap alone, are the ones pruned');
  for (const [i, outputs] of subsets.entries()) {
    const out = await session.run({ x: x(), s: fits() }, { outputs });
    t.same(Object.keys(out).sort(), [...outputs].sort(), `set ${i}: only the outputs named`);
    for (const name of outputs) t.same(out[name]!.data, full[name]!.data, `set ${i}: ${name} equals the full graph's`);
  }
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(warnings.length, 1, 'warned once');
  t.match(warnings[0]?.message ?? '', /bound/);
  // a set past the bound runs the whole graph: the failing branch runs too
  const past = await session.run({ x: x(), s: misfits() }, { outputs: ['heavy'] }).then(() => undefined, (e: unknown) => e) as QaicError;
  t.equal(past?.code, 'QAIC_RUN_FAILED', 'a set past the bound computes the whole graph');
  // a set within it still skips the branch
  const within = await session.run({ x: x(), s: misfits() }, { outputs: ['cheap'] });
  t.same(within.cheap!.data, full.cheap!.data, 'a set within the bound still skips the failing branch');
});

t.test("isolation: 'process' activations run the pruned graph too", async (t) => {
  const session = new Session(branchyModel(), { compile: false, isolation: 'process' });
  t.teardown(() => session.close());
  const full = await session.run({ x: x(), s: fits() });
  const cheap = await session.run({ x: x(), s: misfits() }, { outputs: ['cheap'] });
  t.same(cheap.cheap!.data, full.cheap!.data, 'the failing branch is not run in the child either');
});

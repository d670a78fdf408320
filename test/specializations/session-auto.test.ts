import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { link } from '../../lib/program/index.js';
import { QaicError } from '../../lib/errors.js';
import { lcgFloats, maxAbsDiff, tempDir } from '../program/helpers.js';
import { convModel, convModelRenamed, referenceRun } from './helpers.js';

const LANDSCAPE = { H: 4, W: 6 };
const PORTRAIT = { H: 6, W: 4 };

async function rejection(promise: Promise<unknown>): Promise<QaicError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as QaicError);
}

t.test("graph 'auto' (the default for specializations) sends each run to the graph of its shape", async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const program = (await compile(path, { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'p') })).programDir;
  const fromModel = new Session(path, { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'p') });
  t.teardown(() => fromModel.close());
  t.same(fromModel.allowedShapes, [
    { graph: '4x6', inputs: { x: [1, 2, 4, 6] } },
    { graph: '6x4', inputs: { x: [1, 2, 6, 4] } },
  ], 'allowedShapes of a model to compile with specializations, before compiling');
  const session = new Session(program, { num_activations: 2, allow_oversubscription: true });
  t.teardown(() => session.close());
  t.same(session.allowedShapes, [
    { graph: '4x6', inputs: { x: [1, 2, 4, 6] } },
    { graph: '6x4', inputs: { x: [1, 2, 6, 4] } },
  ], 'allowedShapes before activation (from the manifest)');
  t.same(session.allowed_shapes, session.allowedShapes, 'the QEfficient spelling');
  await session.setup();
  t.same(session.allowedShapes.map((a) => a.graph), ['4x6', '6x4'], 'and after');
  const pool = session._pool!;
  // nothing but the first graph is loaded until a portrait input arrives: that is what an extra graph costs
  const runs = [];
  for (let i = 0; i < 12; i++) {
    const dims = i % 3 === 0 ? [1, 2, 6, 4] : [1, 2, 4, 6];
    const data = lcgFloats(48, i + 1);
    runs.push(session.run({ x: { data: data.slice(), shape: dims } }).then(async (out) => {
      const ref = await referenceRun(path, 'x', data, dims);
      return { dims, shape: out.y!.shape, diffY: maxAbsDiff(out.y!.data as Float32Array, ref.y!), diffZ: maxAbsDiff(out.z!.data as Float32Array, ref.z!) };
    }));
  }
  for (const r of await Promise.all(runs)) {
    t.same(r.shape, [1, 8, r.dims[2], r.dims[3]], `output of a ${r.dims.join('x')} input has its shape`);
    t.ok(r.diffY < 1e-5 && r.diffZ === 0, `equal to onnxruntime on the source model (max diff ${r.diffY}, ${r.diffZ})`);
  }
  t.equal(pool.activations.length, 2);
  t.ok(pool.activations.every((a) => a.completed > 0), 'both activations served (least-in-flight dispatch)');
  const selected = await session.run({ x: { data: lcgFloats(48, 3), shape: [1, 2, 6, 4] } }, { outputs: ['z'] });
  t.same(Object.keys(selected), ['z'], 'output selection on a non-first graph');
});

t.test('shape errors list the allowed shapes next to the passed ones; the session keeps serving', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { graph: 'auto' });
  t.teardown(() => session.close());
  const none = await rejection(session.run({ x: { data: new Float32Array(50), shape: [1, 2, 5, 5] } }));
  t.equal(none.code, 'QAIC_INPUT_SHAPE');
  t.match(none.message, /Passed shapes: x: \[1, 2, 5, 5\]/);
  t.match(none.message, /Allowed shapes: 4x6 \(x: \[1, 2, 4, 6\]\); 6x4 \(x: \[1, 2, 6, 4\]\)/);
  t.same((none.details.allowed as Array<{ graph: string }>).map((a) => a.graph), ['4x6', '6x4']);
  const bare = await rejection(session.run({ x: new Float32Array(48) }));
  t.equal(bare.code, 'QAIC_INPUT_SHAPE', 'a bare array fits both graphs (same element count)');
  t.match(bare.message, /pass \{data, shape\}/);
  const badOutput = await rejection(session.run({ x: { data: new Float32Array(48), shape: [1, 2, 6, 4] } }, { outputs: ['w'] }));
  t.equal(badOutput.code, 'QAIC_INVALID_ARGUMENT');
  t.match(badOutput.message, /graph '6x4'; its outputs are 'y', 'z'/);
  const hostile = await rejection(session.run(new Proxy({ x: 1 }, { get() { throw new Error('trap'); } }) as never));
  t.equal(hostile.code, 'QAIC_INVALID_ARGUMENT', `inputs that throw when read: ${hostile.message}`);
  const throwingShape = await rejection(session.run({ x: { data: new Float32Array(48), get shape(): number[] { throw new Error('shape trap'); } } }));
  t.equal(throwingShape.code, 'QAIC_INVALID_ARGUMENT', `a shape getter that throws: ${throwingShape.message}`);
  const missing = await rejection(session.run({}));
  t.equal(missing.code, 'QAIC_INPUT_MISSING', 'a missing input is reported as such, not as a shape problem');
  const out = await session.run({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } });
  t.same(out.y!.shape, [1, 8, 4, 6], 'still serves');
  const named = new Session(program, { graph: '6x4' });
  t.teardown(() => named.close());
  t.same(named.allowedShapes, [{ graph: '6x4', inputs: { x: [1, 2, 6, 4] } }], 'a named graph: only it');
  const refused = await rejection(named.run({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } }));
  t.equal(refused.code, 'QAIC_INPUT_SHAPE', 'a session bound to one graph refuses the other shape');
});

t.test("graphs with different input names: 'auto' refuses with a message, the default takes the first graph", async (t) => {
  const root = tempDir(t);
  const a = (await compile(convModel(), { onnx_define_symbol: LANDSCAPE, output_dir: join(root, 'a') })).programDir;
  const b = (await compile(convModelRenamed(), { onnx_define_symbol: PORTRAIT, output_dir: join(root, 'b') })).programDir;
  await link([a, b], { names: ['first', 'second'], output_dir: join(root, 'linked') });
  const auto = new Session(join(root, 'linked'), { graph: 'auto' });
  t.teardown(() => auto.close());
  const refused = await rejection(auto.setup());
  t.equal(refused.code, 'QAIC_INVALID_OPTION');
  t.match(refused.message, /graph 'second' has inputs \["image"\]/);
  t.match(refused.message, /pass graph: one of 'first', 'second'/);
  t.throws(() => auto.allowedShapes, { code: 'QAIC_INVALID_OPTION' }, 'allowedShapes says the same');
  const plain = new Session(join(root, 'linked'));
  t.teardown(() => plain.close());
  t.same(plain.allowedShapes.map((s) => s.graph), ['first'], 'default: the first graph only');
  const out = await plain.run({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } });
  t.same(out.y!.shape, [1, 8, 4, 6]);
});

t.test('runBenchmark({graph}) benchmarks one graph with random inputs of its shapes', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program);
  t.teardown(() => session.close());
  const portrait = await session.runBenchmark({ graph: '6x4', num_inferences: 8, emitWarnings: false });
  t.equal(portrait.details.graph, '6x4');
  t.equal(portrait.inf_completed, 8);
  const first = await session.runBenchmark({ num_inferences: 4, emitWarnings: false });
  t.equal(first.details.graph, '4x6', 'default: the first graph');
  const unknown = await rejection(session.runBenchmark({ graph: 'nope', num_inferences: 4 }));
  t.equal(unknown.code, 'QAIC_GRAPH_NOT_FOUND');
  t.match(unknown.message, /'4x6', '6x4'/);
  const bad = await rejection(session.runBenchmark({ graph: 7 as never }));
  t.equal(bad.code, 'QAIC_INVALID_ARGUMENT');
});

import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { link, openProgram, writeProgram } from '../../lib/program/index.js';
import type { GraphToStore } from '../../lib/program/types.js';
import { lcgFloats, maxAbsDiff, tempDir } from './helpers.js';

const W_BYTES = 64 * 32 * 4; // 8192: page-aligned
const B_BYTES = 32 * 4; // 128: the smallest external size

/** y = (x · w + b) · 2, with weight names and contents chosen per case. */
function mlp(rows: number, names: { w: string; b: string }, seeds: { w: number; b: number }): GraphToStore {
  const m = model(graph({
    nodes: [node('MatMul', ['x', names.w], ['h']), node('Add', ['h', names.b], ['h2']), node('Mul', ['h2', 'two'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [rows, 64])],
    outputs: [tensorInfo('y', 'float32', [rows, 32])],
    initializers: [
      initializer(names.w, 'float32', [64, 32], lcgFloats(64 * 32, seeds.w)),
      initializer(names.b, 'float32', [32], lcgFloats(32, seeds.b)),
      initializer('two', 'float32', [], new Float32Array([2])),
    ],
  }));
  const io = modelIO(m);
  return { name: 'main', model: m, inputs: io.inputs, outputs: io.outputs, batchSize: rows, sessionOptions: {}, hostFeatures: [] };
}

async function programOf(dir: string, g: GraphToStore): Promise<string> {
  await writeProgram(dir, [g], { sources: [{ path: `${g.name}.onnx`, sha256: 'a'.repeat(64) }], compileOptions: { batchsize: g.batchSize } });
  return dir;
}

async function outputsOf(program: string, graphName: string | undefined, rows: number): Promise<Float32Array> {
  const session = new Session(program, graphName === undefined ? {} : { graph: graphName });
  try {
    const out = await session.run({ x: { data: lcgFloats(rows * 64, 99), shape: [rows, 64] } });
    return out.y!.data as Float32Array;
  } finally {
    await session.close();
  }
}

t.test('link with full sharing: the same weights at two shapes are stored once', async (t) => {
  const root = tempDir(t);
  const landscape = await programOf(join(root, 'landscape'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const portrait = await programOf(join(root, 'portrait'), mlp(3, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const single = await openProgram(landscape);
  const linked = await link([landscape, join(portrait, 'programqpc.bin')], { output_dir: join(root, 'linked') });
  t.same(linked.graphs, ['landscape', 'portrait'], 'single "main" graphs are named after their program folders');
  t.equal(linked.weightCount, 2);
  t.equal(linked.sharedWeights, 2);
  t.equal(linked.weightBytes, W_BYTES + B_BYTES);
  t.equal(linked.weightBytes, single.weightBytes, 'no more weight bytes than one graph');
  t.equal(linked.inputWeightBytes, 2 * (W_BYTES + B_BYTES));
  t.ok(linked.fileBytes < single.fileBytes * 1.15, `linked file ${linked.fileBytes} B vs one graph ${single.fileBytes} B`);

  const opened = await openProgram(join(root, 'linked'));
  t.same(opened.graphs.map((g) => [g.name, g.batchSize]), [['landscape', 1], ['portrait', 3]]);
  t.equal((opened.provenance.compileOptions.linked as unknown[]).length, 2, 'provenance records what was linked');
  t.equal(maxAbsDiff(await outputsOf(join(root, 'linked'), 'portrait', 3), await outputsOf(portrait, undefined, 3)), 0, 'portrait graph = its source program');
  t.equal(maxAbsDiff(await outputsOf(join(root, 'linked'), undefined, 1), await outputsOf(landscape, undefined, 1)), 0, 'default graph is the first (landscape)');
});

t.test('link with partial sharing: same name and content shared, same name with other content kept per graph', async (t) => {
  const root = tempDir(t);
  const a = await programOf(join(root, 'a'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const b = await programOf(join(root, 'b'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 3 }));
  const linked = await link([a, b], { names: ['first', 'second'], output_dir: join(root, 'linked') });
  t.same(linked.graphs, ['first', 'second']);
  t.equal(linked.weightCount, 3);
  t.equal(linked.sharedWeights, 1);
  t.equal(linked.weightBytes, W_BYTES + 2 * B_BYTES);
  t.equal(maxAbsDiff(await outputsOf(join(root, 'linked'), 'second', 1), await outputsOf(b, undefined, 1)), 0, 'the graph with its own bias computes with it');
  t.equal(maxAbsDiff(await outputsOf(join(root, 'linked'), 'first', 1), await outputsOf(a, undefined, 1)), 0);
});

t.test('link with no sharing: same content under other names is not shared', async (t) => {
  const root = tempDir(t);
  const a = await programOf(join(root, 'a'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const b = await programOf(join(root, 'b'), mlp(1, { w: 'w_other', b: 'b_other' }, { w: 1, b: 2 }));
  const linked = await link([a, b], { output_dir: join(root, 'linked') });
  t.equal(linked.weightCount, 4);
  t.equal(linked.sharedWeights, 0);
  t.equal(linked.weightBytes, 2 * (W_BYTES + B_BYTES));
  // and a linked program links again (its graphs keep their names)
  const again = await link([join(root, 'linked')], { output_dir: join(root, 'again') });
  t.same(again.graphs, ['a', 'b']);
  t.equal(again.weightBytes, linked.weightBytes);
});

t.test('BAD CALL - link refuses clashing, miscounted or invalid names and empty input', async (t) => {
  const root = tempDir(t);
  const a = await programOf(join(root, 'x', 'same'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const b = await programOf(join(root, 'y', 'same'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  await t.rejects(link([a, b], { output_dir: join(root, 'o') }), { code: 'QAIC_INVALID_ARGUMENT', message: /two graphs would be named 'same'.*pass names/ });
  await t.rejects(link([a, b], { names: ['one'], output_dir: join(root, 'o') }), { code: 'QAIC_INVALID_ARGUMENT', message: /1 name\(s\) but the programs hold 2 graph/ });
  await t.rejects(link([a, b], { names: ['ok', '../bad'], output_dir: join(root, 'o') }), { code: 'QAIC_INVALID_ARGUMENT', message: /'\.\.\/bad'/ });
  await t.rejects(link([], { output_dir: join(root, 'o') }), { code: 'QAIC_INVALID_ARGUMENT', message: /non-empty array/ });
  await t.rejects(link([a], {} as never), { code: 'QAIC_INVALID_ARGUMENT', message: /output_dir/ });
  await t.rejects(link([a, join(root, 'missing')], { output_dir: join(root, 'o') }), { code: 'QAIC_FILE_NOT_FOUND' });
});

t.test('BAD CALL - an unknown graph name lists the available ones, from the Session and from openProgram', async (t) => {
  const root = tempDir(t);
  const a = await programOf(join(root, 'land'), mlp(1, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  const b = await programOf(join(root, 'port'), mlp(2, { w: 'w', b: 'b' }, { w: 1, b: 2 }));
  await link([a, b], { output_dir: join(root, 'linked') });
  const session = new Session(join(root, 'linked'), { graph: 'square' });
  t.throws(() => session.modelInputShapeDict, { code: 'QAIC_GRAPH_NOT_FOUND', message: /no graph named 'square'; available graphs: 'land', 'port'/ });
  await t.rejects(session.setup(), { code: 'QAIC_GRAPH_NOT_FOUND' });
  await session.close();
  const port = new Session(join(root, 'linked'), { graph: 'port' });
  t.same(port.modelInputShapeDict.x?.[0], [2, 64], 'shape dict comes from the chosen graph before activation');
  await port.close();
  await t.rejects((await openProgram(join(root, 'linked'))).loadable('nope'), { code: 'QAIC_GRAPH_NOT_FOUND' });
});

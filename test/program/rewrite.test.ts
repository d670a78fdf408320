import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { tempDir } from './helpers.js';

function scaleGraph(name: string, factor: number) {
  const m = model(graph({
    nodes: [node('Mul', ['x', 'k'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [64])],
    outputs: [tensorInfo('y', 'float32', [64])],
    initializers: [initializer('k', 'float32', [64], new Float32Array(64).fill(factor))],
  }));
  const io = modelIO(m);
  return { name, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] };
}

t.test('writing a program over another replaces it whole and removes graph files of graphs it no longer has', async (t) => {
  const dir = tempDir(t);
  const first = await writeProgram(dir, [scaleGraph('a', 1), scaleGraph('b', 2)], { sources: [], compileOptions: {} });
  t.equal(first.weightCount, 2, 'same name, different bytes: two weights');
  t.ok(existsSync(join(dir, 'programqpc.a.onnx')) && existsSync(join(dir, 'programqpc.b.onnx')));
  const before = await openProgram(dir);
  await before.loadable('b');

  await writeProgram(dir, [scaleGraph('c', 3)], { sources: [], compileOptions: { second: true } });
  t.same(readdirSync(dir).sort(), ['programqpc.bin', 'programqpc.c.onnx'], 'no stale graph files and no temporary files left');
  const after = await openProgram(dir);
  t.same(after.graphs.map((g) => g.name), ['c']);
  t.same(after.provenance.compileOptions, { second: true });
  await t.rejects(after.loadable('a'), { code: 'QAIC_GRAPH_NOT_FOUND', message: /available graphs: 'c'/ });
});

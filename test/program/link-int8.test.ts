import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { link } from '../../lib/program/link.js';
import { openProgram } from '../../lib/program/index.js';
import { Session } from '../../lib/session.js';
import { calibratedTemp, smallCnnSpatial, spatialInputs } from '../compiler/quant/helpers.js';

// int8 programs of one model at two shapes, each compiled with the one profile (its H and W left free), link into one
// program whose int8 weights are stored once and whose session serves both shapes, each graph as compiled.

t.test('linking int8 programs of one profile shares their int8 weights and serves both shapes', async (t) => {
  const { file, profile } = await calibratedTemp(t, smallCnnSpatial(), [...spatialInputs(2, 1, 16, 16), ...spatialInputs(2, 10, 8, 24)]);
  const dir = mkdtempSync(join(tmpdir(), 'qaic-link-int8-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const square = await compile(file, { load_profile: profile, onnx_define_symbol: { H: 16, W: 16 }, output_dir: join(dir, 'square') });
  const wide = await compile(file, { load_profile: profile, onnx_define_symbol: { H: 8, W: 24 }, output_dir: join(dir, 'wide') });
  t.equal(square.report.quantization?.int8Kernels['QLinearConv'], 2);
  const linked = await link([square.programDir, wide.programDir], { output_dir: join(dir, 'linked') });
  const one = await openProgram(square.programDir);
  t.same(linked.graphs, ['square', 'wide']);
  t.equal(linked.weightBytes, one.weightBytes, 'the linked program stores the int8 weights once');

  const s = new Session(join(dir, 'linked'));
  const single = new Session(square.programPath);
  t.teardown(async () => {
    await s.close();
    await single.close();
  });
  const x = spatialInputs(1, 100, 16, 16)[0]!;
  const y = (await s.run({ x: { data: x.x.data.slice(), shape: x.x.shape } }))['y']!.data;
  t.same(y, (await single.run({ x: { data: x.x.data.slice(), shape: x.x.shape } }))['y']!.data, 'the square graph computes what its own program does');
  const w = spatialInputs(1, 200, 8, 24)[0]!;
  t.same((await s.run({ x: { data: w.x.data.slice(), shape: w.x.shape } }))['y']!.shape, [1, 10], 'the wide shape runs too');
});

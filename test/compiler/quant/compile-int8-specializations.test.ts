import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import type { CompileReport } from '../../../lib/compiler/report.js';
import { openProgram } from '../../../lib/program/index.js';
import { Session } from '../../../lib/session.js';
import { calibratedTemp, smallCnnSpatial, spatialInputs } from './helpers.js';

// int8 with specializations: one program whose graphs (one per shape) are each quantized with the same profile, so
// their int8 weights are equal and the program stores them once, and one session serves every shape. The
// profile is recorded with H and W left free, on inputs of both shapes.

const SQUARE = { H: 16, W: 16 };
const WIDE = { H: 8, W: 24 };

t.test('every specialization is quantized with the one profile and the graphs share their int8 weights', async (t) => {
  const calibration = [...spatialInputs(3, 1, 16, 16), ...spatialInputs(3, 10, 8, 24)];
  const { file, profile } = await calibratedTemp(t, smallCnnSpatial(), calibration);
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-spec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const both = await compile(file, { load_profile: profile, specializations: [SQUARE, WIDE], output_dir: join(dir, 'both') });
  // one specialization: the same graph alone (the profile leaves H and W free, so it serves specializations only)
  const single = await compile(file, { load_profile: profile, specializations: [SQUARE], output_dir: join(dir, 'single') });
  const program = await openProgram(both.programDir);
  t.same(program.graphs.map((g) => g.name), ['16x16', '8x24']);
  for (const g of program.graphs) {
    const q = (g.report as CompileReport).quantization;
    t.equal(q?.quantizedNodes['Conv'], 2, `graph ${g.name}: both Convs quantized`);
    t.equal(q?.int8Kernels['QLinearConv'], 2, `graph ${g.name}: onnxruntime fused both into QLinearConv`);
    t.equal(q?.profileSha256, both.report.quantization?.profileSha256, `graph ${g.name}: the same profile`);
  }
  const one = await openProgram(single.programDir);
  t.equal(program.weightBytes, one.weightBytes, 'the two int8 graphs store as many weight bytes as one');

  const b = new Session(both.programPath);
  const c = new Session(single.programPath);
  t.teardown(async () => {
    await b.close();
    await c.close();
  });
  const run = async (s: Session, input: { x: { data: Float32Array; shape: number[] } }) => s.run({ x: { data: input.x.data.slice(), shape: input.x.shape } });
  const [square, wide] = [spatialInputs(1, 100, 16, 16)[0]!, spatialInputs(1, 200, 8, 24)[0]!];
  t.same((await run(b, square))['y']!.data, (await run(c, square))['y']!.data, 'the 16x16 graph computes exactly what the one-graph int8 program does');
  t.same((await run(b, wide))['y']!.shape, [1, 10], 'one session serves the 8x24 shape too');
});

t.test('convert_to_quantize calibrates once on inputs of every specialized shape', async (t) => {
  const { file } = await calibratedTemp(t, smallCnnSpatial(), spatialInputs(1, 1, 16, 16));
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-spec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const calibration_inputs = [...spatialInputs(2, 1, 16, 16), ...spatialInputs(2, 10, 8, 24)];
  const r = await compile(file, { convert_to_quantize: true, calibration_inputs, specializations: [SQUARE, WIDE], output_dir: join(dir, 'q') });
  t.equal(r.report.specializations?.length, 2);
  t.equal(r.report.quantization?.int8Kernels['QLinearConv'], 2);
});

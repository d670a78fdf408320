import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../../lib/session.js';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { cnnInputs, relativeL2, smallCnn, writeTemp } from './helpers.js';

// Compiling with load_profile gives an int8 program: onnxruntime fused its Conv into QLinearConv (counted in the
// optimized graph, not assumed), and its outputs stay close to the float32 program's on inputs it was not calibrated on.

t.test('load_profile compiles an int8 program close to float32, and the report counts its int8 kernels', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-compile-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profilePath = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(8, 1), { dump_profile: profilePath });
  const int8 = await compile(file, { load_profile: profilePath, output_dir: join(dir, 'int8') });
  const float = await compile(file, { output_dir: join(dir, 'float') });
  const q = int8.report.quantization;
  t.ok(q !== undefined, 'the report has a quantization section');
  t.ok((q?.int8Kernels['QLinearConv'] ?? 0) >= 2, `both convolutions run as QLinearConv (${JSON.stringify(q?.int8Kernels)})`);
  t.equal(q?.quantizedNodes['Conv'], 2);
  t.ok((q?.int8Kernels['MatMulIntegerToFloat'] ?? 0) + (q?.int8Kernels['QLinearMatMul'] ?? 0) >= 1, 'the MatMul head runs in int8');
  t.equal(q?.calibration, 'None', "the SDK's default calibration");
  const session = (o: Record<string, unknown>) => (o['extra'] as { session: Record<string, string> }).session;
  t.notOk('disable_prepacking' in session(int8.report.optimization.loadWith), 'int8 activations prepack their weights (QLinearConv would repack them per run)');
  t.equal(session(float.report.optimization.loadWith)['disable_prepacking'], '1', 'float32 activations share unpacked weights');
  t.equal(float.report.quantization, undefined, 'no profile, no int8 pass');
  t.equal(float.report.optimizedOperators['QLinearConv'], undefined);

  const a = new Session(float.programPath);
  const b = new Session(int8.programPath);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  for (const input of cnnInputs(3, 100)) {
    const x = input.x.data;
    const ya = (await a.run({ x: { data: x.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
    const yb = (await b.run({ x: { data: x.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
    const err = relativeL2(ya, yb);
    t.ok(err < 0.1, `int8 output within 10 % (relative L2) of float32: ${err.toFixed(4)}`);
  }
});

t.test('keep_original_precision_for_nodes keeps a node in float32 in the int8 pass too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-keep-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profilePath = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(4, 1), { dump_profile: profilePath });
  const kept = await compile(file, { load_profile: profilePath, keep_original_precision_for_nodes: ['conv2'], output_dir: join(dir, 'kept') });
  const q = kept.report.quantization!;
  t.equal(q.quantizedNodes['Conv'], 1, 'one Conv quantized');
  t.ok(q.keptFloat.some((k) => k.node === 'conv2' && k.reason === 'user'), 'conv2 kept, reason user');
  t.equal(q.int8Kernels['QLinearConv'], 1, 'one QLinearConv after optimization');
});

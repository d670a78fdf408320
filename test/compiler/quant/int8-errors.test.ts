import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import type { ModelProto } from '../../../lib/onnx/schema.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

/** The test CNN with a symbolic batch dimension 'N'. */
function smallCnnWithBatch(): ModelProto {
  const m = smallCnn();
  const dims = m.graph!.input![0]!.type!.tensor_type!.shape!.dim!;
  dims[0] = { dim_param: 'N' };
  const out = m.graph!.output![0]!.type!.tensor_type!.shape!.dim!;
  out[0] = { dim_param: 'N' };
  return m;
}

// Nothing is quantized with a profile that does not belong to the model, and every bad quantization setting gets a
// typed error naming it.

t.test('a profile of another model, or one missing a quantized tensor, is refused with QAIC_PROFILE_MISMATCH', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-errors-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const other = writeTemp(smallCnn(11), 'cnn11');
  const otherProfile = join(dir, 'other.json');
  await calibrate(other, cnnInputs(2, 1), { dump_profile: otherProfile, num_histogram_bins: 16 });
  await t.rejects(compile(file, { load_profile: otherProfile, output_dir: join(dir, 'a') }), { code: 'QAIC_PROFILE_MISMATCH', message: /recorded on another model/ });

  const own = join(dir, 'own.json');
  await calibrate(file, cnnInputs(2, 1), { dump_profile: own, num_histogram_bins: 16 });
  const p = JSON.parse(readFileSync(own, 'utf8')) as { tensors: Array<{ name: string }> };
  p.tensors = p.tensors.filter((x) => x.name !== 'c2');
  const missing = join(dir, 'missing.json');
  writeFileSync(missing, JSON.stringify(p));
  await t.rejects(compile(file, { load_profile: missing, output_dir: join(dir, 'b') }), { code: 'QAIC_PROFILE_MISMATCH', message: /no range for 1 tensor\(s\).*'c2'/ });
  await t.rejects(compile(file, { load_profile: join(dir, 'absent.json'), output_dir: join(dir, 'c') }), { code: 'QAIC_FILE_NOT_FOUND' });
  const dynamic = writeTemp(smallCnnWithBatch(), 'cnn-n');
  const batch1 = join(dir, 'batch1.json');
  await calibrate(dynamic, cnnInputs(2, 1), { dump_profile: batch1, num_histogram_bins: 16, onnx_define_symbol: { N: 1 } });
  await t.rejects(compile(dynamic, { load_profile: batch1, onnx_define_symbol: { N: 2 }, output_dir: join(dir, 'd') }), { code: 'QAIC_PROFILE_MISMATCH', message: /other dims: 'N' 1 there, 2 here/ });
  const byBatch = join(dir, 'byBatch.json');
  await calibrate(dynamic, cnnInputs(2, 1), { dump_profile: byBatch, num_histogram_bins: 16, batchsize: 1 });
  await t.rejects(compile(dynamic, { load_profile: byBatch, output_dir: join(dir, 'e'), batchsize: 2 }), { code: 'QAIC_PROFILE_MISMATCH', message: /batchsize 1.*batchsize 2/ });
});

t.test('unknown schema names, Int16 and contradictory options are QAIC_INVALID_OPTION', async (t) => {
  const file = writeTemp(smallCnn(), 'cnn');
  const opts = (o: Record<string, unknown>) => compile(file, o as never);
  await t.rejects(opts({ load_profile: 'p.json', quantization_schema_activations: 'asymetric' }), { code: 'QAIC_INVALID_OPTION', message: /quantization_schema_activations.*did you mean 'asymmetric'/ });
  await t.rejects(opts({ load_profile: 'p.json', quantization_schema_constants: 'int8' }), { code: 'QAIC_INVALID_OPTION', message: /quantization_schema_constants/ });
  await t.rejects(opts({ load_profile: 'p.json', quantization_calibration: 'KL' }), { code: 'QAIC_INVALID_OPTION', message: /quantization_calibration/ });
  await t.rejects(opts({ load_profile: 'p.json', quantization_precision: 'Int16' }), { code: 'QAIC_INVALID_OPTION', message: /only 'Int8' is supported/ });
  await t.rejects(opts({ load_profile: 'p.json', percentile_calibration_value: 85 }), { code: 'QAIC_INVALID_OPTION', message: /from 90 to 100/ });
  await t.rejects(opts({ convert_to_quantize: true }), { code: 'QAIC_INVALID_OPTION', message: /needs 'calibration_inputs'/ });
  await t.rejects(opts({ dump_profile: 'p.json' }), { code: 'QAIC_INVALID_OPTION', message: /needs 'calibration_inputs'/ });
  await t.rejects(opts({ calibration_inputs: cnnInputs(1, 1) }), { code: 'QAIC_INVALID_OPTION', message: /has no effect without/ });
  await t.rejects(opts({ calibration_inputs: 42, convert_to_quantize: true }), { code: 'QAIC_INVALID_OPTION', message: /iterable/ });
  await t.rejects(opts({ convert_to_quantize: true, load_profile: 'p.json', calibration_inputs: [] }), { code: 'QAIC_INVALID_OPTION', message: /cannot be combined with 'load_profile'/ });
  const { Session } = await import('../../../lib/session.js');
  t.throws(() => new Session(file, { compile: false, load_profile: 'p.json' }), { code: 'QAIC_INVALID_OPTION', message: /no meaning with compile: false/ });
});

t.test('empty calibration data and a calibration input of the wrong shape are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-errors-'));
  const file = writeTemp(smallCnn(), 'cnn');
  await t.rejects(compile(file, { convert_to_quantize: true, calibration_inputs: [], output_dir: join(dir, 'a') }), { code: 'QAIC_INVALID_ARGUMENT', message: /no calibration inputs/ });
  const wrong = [{ x: { data: new Float32Array(8 * 8 * 8), shape: [1, 8, 8, 8] } }];
  await t.rejects(compile(file, { convert_to_quantize: true, calibration_inputs: wrong, output_dir: join(dir, 'b') }), { code: 'QAIC_INPUT_SHAPE', message: /calibration input set 0/ });
});

import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { readProfile } from '../../../lib/compiler/quant/profile.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// Bad input to the int8 accuracy report gets a typed error naming what is wrong, and the report never evaluates on
// the inputs it was calibrated on.

t.test('evaluation inputs that are calibration inputs, none, or of the wrong shape are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-err-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(3, 1), { dump_profile: profile });
  t.equal(readProfile(profile).inputDigests?.length, 3, 'the profile records a digest per calibration input set');
  const reused = cnnInputs(3, 1)[1]!;
  await t.rejects(int8Accuracy(file, { load_profile: profile }, { inputs: [cnnInputs(1, 50)[0]!, { x: reused.x.data }] }), {
    code: 'QAIC_INVALID_ARGUMENT', message: /evaluation input set 1 is calibration input set 1/,
  }, 'the same values, even given in another form, are refused');
  await t.rejects(int8Accuracy(file, { load_profile: profile }, { inputs: [] }), { code: 'QAIC_INVALID_ARGUMENT', message: /yielded nothing/ });
  await t.rejects(int8Accuracy(file, { load_profile: profile }, { inputs: [{ x: { data: new Float32Array(10), shape: [1, 10] } }] }), {
    code: 'QAIC_INPUT_SHAPE', message: /evaluation input set 0/,
  });
  await t.rejects(int8Accuracy(file, { load_profile: profile }, { inputs: 42 as never }), { code: 'QAIC_INVALID_ARGUMENT', message: /iterable/ });
});

t.test('options that do not quantize, and bad settings, are refused before anything runs', async (t) => {
  const file = writeTemp(smallCnn(), 'cnn');
  await t.rejects(int8Accuracy(file, {}), { code: 'QAIC_INVALID_ARGUMENT', message: /do not quantize: give load_profile/ });
  await t.rejects(int8Accuracy(file, { load_profile: 'p.json' }, { mapThreshold: Number.NaN }), { code: 'QAIC_INVALID_ARGUMENT', message: /mapThreshold/ });
  await t.rejects(int8Accuracy(file, { load_profile: 'p.json' }, { worstNodes: -1 }), { code: 'QAIC_INVALID_ARGUMENT', message: /worstNodes/ });
  await t.rejects(int8Accuracy(file, { load_profile: 'p.json' }, { randomInputs: 0 }), { code: 'QAIC_INVALID_ARGUMENT', message: /randomInputs/ });
  await t.rejects(int8Accuracy(file, { load_profile: join(tmpdir(), 'qaic-no-such-profile.json') }), { code: 'QAIC_FILE_NOT_FOUND' });
  const other = writeTemp(smallCnn(11), 'other');
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-err-'));
  await calibrate(other, cnnInputs(2, 1), { dump_profile: join(dir, 'other.json') });
  await t.rejects(int8Accuracy(file, { load_profile: join(dir, 'other.json') }), { code: 'QAIC_PROFILE_MISMATCH' }, "another model's profile");
});

t.test('random inputs for a dim left open name int8Accuracy and the compile option that fixes it', async (t) => {
  const m = smallCnn();
  m.graph!.input![0]!.type!.tensor_type!.shape!.dim![0] = { dim_param: 'N' };
  m.graph!.output![0]!.type!.tensor_type!.shape!.dim![0] = { dim_param: 'N' };
  const file = writeTemp(m, 'cnn-n');
  const profile = join(mkdtempSync(join(tmpdir(), 'qaic-int8-acc-err-')), 'profile.json');
  await calibrate(file, cnnInputs(2, 1), { dump_profile: profile, onnx_define_symbol: { N: 1 } });
  await t.rejects(int8Accuracy(file, { load_profile: profile }, { randomInputs: 1 }), {
    code: 'QAIC_INVALID_ARGUMENT',
    message: /^int8Accuracy cannot draw a random value for input 'x': dim 0 is 'N'; pass compileOptions\.onnx_define_symbol \(e\.g\. \{ N: 1 \}\) or options\.inputs/,
  });
});

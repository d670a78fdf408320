import t from 'tap';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { readProfile } from '../../lib/compiler/quant/profile.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { cnnInputs, smallCnn } from '../compiler/quant/helpers.js';
import { qaicExec as exec } from './qaic-exec-helpers.js';

// qaic-exec's profile-guided flow, as in the SDK: -dump-profile with -input-list-file only profiles; the same command
// with -load-profile compiles int8; -convert-to-quantize does both in one run.


/** The test CNN and a list file of `n` raw inputs (relative paths, trailing commas as the SDK's generators write). */
function setup(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-exec-int8-'));
  writeFileSync(join(dir, 'cnn.onnx'), encodeModel(smallCnn()));
  const lines = cnnInputs(n, 1).map((input, i) => {
    writeFileSync(join(dir, `x${i}.raw`), input.x.data);
    return `x${i}.raw,`;
  });
  writeFileSync(join(dir, 'list.txt'), `${lines.join('\n')}\n`);
  return dir;
}

t.test('flags parse into options; -dump-profile with -input-list-file is a profile-only command', async (t) => {
  t.match(parseExecArgs(['-m=cnn.onnx', '-load-profile=p.json', '-quantization-calibration=percentile', '-percentile-calibration-value=99.9', '-quantization-schema-activations=ASYMMETRIC', '-enable-rowwise', '-quantization-precision-bias=int32', '-num-histogram-bins=256']), {
    kind: 'compile',
    options: { load_profile: 'p.json', quantization_calibration: 'Percentile', percentile_calibration_value: 99.9, quantization_schema_activations: 'asymmetric', enable_rowwise: true, quantization_precision_bias: 'Int32', num_histogram_bins: 256 },
  }, 'values in any case become the option spellings');
  t.match(parseExecArgs(['-m=cnn.onnx', '-dump-profile=p.json', '-input-list-file=l.txt']), { kind: 'profile', dumpProfile: 'p.json', inputListFile: 'l.txt' });
  t.throws(() => parseExecArgs(['-m=cnn.onnx', '-dump-profile=p.json']), { code: 'QAIC_CLI_USAGE', message: /-dump-profile needs -input-list-file/ });
  t.throws(() => parseExecArgs(['-m=cnn.onnx', '-input-list-file=l.txt']), { code: 'QAIC_CLI_USAGE', message: /-input-list-file needs -dump-profile/ });
  t.throws(() => parseExecArgs(['-m=cnn.onnx', '-quantization-schema-activations=asym']), { code: 'QAIC_CLI_USAGE', message: /expects 'asymmetric' or/ });
  t.throws(() => parseExecArgs(['-m=cnn.onnx', '-percentile-calibration-value=80']), { code: 'QAIC_CLI_USAGE', message: /from 90 to 100/ });
});

t.test('qaic-exec -dump-profile -input-list-file profiles only; -load-profile then compiles int8', async (t) => {
  const dir = setup(4);
  const profiled = await exec(['-m=cnn.onnx', '-input-list-file=list.txt', '-dump-profile=profile.json', '-num-histogram-bins=64'], dir);
  t.equal(profiled.code, 0, profiled.stderr);
  t.match(profiled.stdout, /Profiling on 4 input set\(s\)/);
  t.equal(readProfile(join(dir, 'profile.json')).calibrationInputs, 4, 'the profile saw the 4 listed inferences');
  t.equal(readProfile(join(dir, 'profile.json')).bins, 64);
  t.notOk(existsSync(join(dir, 'cnn_qpc')), 'profiling writes no program');

  const compiled = await exec(['-m=cnn.onnx', '-load-profile=profile.json', '-quantization-calibration=Percentile', '-percentile-calibration-value=99.99'], dir);
  t.equal(compiled.code, 0, compiled.stderr);
  t.match(compiled.stdout, /Compiling model with Int8 precision: .*calibration Percentile 99\.99/);
  t.match(compiled.stdout, /int8 kernels after optimization: [1-9]\d* \(.*QLinearConv 2/);
  t.ok(existsSync(join(dir, 'cnn_qpc', 'programqpc.bin')));

  const oneStep = await exec(['-m=cnn.onnx', '-input-list-file=list.txt', '-convert-to-quantize', '-aic-binary-dir=one'], dir);
  t.equal(oneStep.code, 0, oneStep.stderr);
  t.match(oneStep.stdout, /profile calibration_inputs .*\n.*\n\s+int8 kernels after optimization: [1-9]/);
});

t.test('a raw file of the wrong size, or a line with the wrong number of files, is refused naming it', async (t) => {
  const dir = setup(2);
  writeFileSync(join(dir, 'x1.raw'), new Float32Array(10));
  const wrongSize = await exec(['-m=cnn.onnx', '-input-list-file=list.txt', '-dump-profile=p.json'], dir);
  t.equal(wrongSize.code, 1);
  t.match(wrongSize.stderr, /QAIC_FILE_INVALID.*input 'x'.*line 2.*x1\.raw/s);
  writeFileSync(join(dir, 'list2.txt'), 'x0.raw,x0.raw\n');
  const wrongCount = await exec(['-m=cnn.onnx', '-input-list-file=list2.txt', '-dump-profile=p.json'], dir);
  t.equal(wrongCount.code, 2);
  t.match(wrongCount.stderr, /line 1: the model has 1 input\(s\) \(x\).*got 2/);
  t.notOk(existsSync(join(dir, 'p.json')));
  const int16 = await exec(['-m=cnn.onnx', '-load-profile=p.json', '-quantization-precision=Int16'], dir);
  t.equal(int16.code, 2, 'Int16 is a usage error');
  t.match(int16.stderr, /QAIC_INVALID_OPTION.*only 'Int8' is supported.*-quantization-precision/);
});

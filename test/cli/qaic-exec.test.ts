import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { tempDir } from '../program/helpers.js';
import { qaicExec as exec } from './qaic-exec-helpers.js';


t.test('SDK flags parse into compile options; repeated -onnx-define-symbol accumulates', async (t) => {
  const cmd = parseExecArgs(['-m=net.onnx', '-onnx-define-symbol=batch,2', '-onnx-define-symbol=seq_len,128', '-batchsize=2', '-aic-num-cores=1', '-aic-binary-dir=out', '-convert-to-fp16'], '/work');
  t.same(cmd, {
    kind: 'compile', modelPath: 'net.onnx', outputDir: 'out', noEffect: [],
    options: { onnx_define_symbol: [['batch', 2], ['seq_len', 128]], batchsize: 2, aic_num_cores: 1, convert_to_fp16: true, output_dir: 'out' },
  });
  t.match(parseExecArgs(['-model=dir/net.onnx'], '/work'), { kind: 'compile', outputDir: '/work/net_qpc' }, 'default output folder: ./<stem>_qpc');
});

t.test('no-effect flags are accepted and recorded with their values', async (t) => {
  const cmd = parseExecArgs(['-m=a.onnx', '-aic-hw', '-aic-hw-version=2.0', '-ols=2', '-mos=1', '-multicast-weights', '-stats-batchsize=4', '-compile-only']);
  t.match(cmd, {
    kind: 'compile',
    noEffect: ['aic-hw', 'aic-hw-version', 'ols', 'mos', 'multicast-weights', 'stats-batchsize', 'compile-only'],
    options: { aic_hw: true, aic_hw_version: 2, ols: 2, mos: 1, multicast_weights: true, stats_batchsize: 4, compile_only: true },
  });
});

t.test('-h, -help and --usage ask for usage; -operators-supported=onnx for the operator list', async (t) => {
  for (const flag of ['-h', '-help', '--usage']) t.same(parseExecArgs(['-m=x.onnx', flag]), { kind: 'help' });
  t.same(parseExecArgs(['-operators-supported=onnx']), { kind: 'operators', framework: 'onnx' });
});

t.test('BAD CALL - an unknown flag is an error naming the nearest known flag', async (t) => {
  t.throws(() => parseExecArgs(['-m=a.onnx', '-onnx-define-symbl=batch,1']), { code: 'QAIC_CLI_USAGE', message: /unknown flag '-onnx-define-symbl'; did you mean '-onnx-define-symbol'\?/ });
  t.throws(() => parseExecArgs(['-m=a.onnx', '-multicast-weight']), { code: 'QAIC_CLI_USAGE', message: /did you mean '-multicast-weights'/ });
  // the int8 keep flag's former name (no alias kept)
  t.throws(() => parseExecArgs(['-m=a.onnx', '-keep-worst-nodes=2']), { code: 'QAIC_CLI_USAGE', message: /unknown flag '-keep-worst-nodes'; did you mean '-keep-stem-nodes'\?/ });
});

t.test('BAD CALL - malformed values and a missing model are usage errors', async (t) => {
  t.throws(() => parseExecArgs(['-m=a.onnx', '-onnx-define-symbol=batch']), { code: 'QAIC_CLI_USAGE', message: /expects <name>,<size>/ });
  t.throws(() => parseExecArgs(['-m=a.onnx', '-batchsize=two']), { code: 'QAIC_CLI_USAGE', message: /-batchsize expects an integer of at least 1, got 'two'/ });
  t.throws(() => parseExecArgs(['-batchsize=1']), { code: 'QAIC_CLI_USAGE', message: /no model given/ });
  t.throws(() => parseExecArgs(['-m=a.onnx', '-operators-supported=tensorflow']), { code: 'QAIC_CLI_USAGE', message: /-operators-supported expects 'onnx', got 'tensorflow'/ });
});

t.test('the command: -h exits 0 with usage, an unknown flag exits 2, a compile prints the report and exits 0', async (t) => {
  const help = await exec(['-h']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: qaic-exec -m=<model.onnx>/);
  const bad = await exec(['-m=x.onnx', '-aic-binary-dri=out']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^qaic-exec: error \[QAIC_CLI_USAGE\]: unknown flag '-aic-binary-dri'; did you mean '-aic-binary-dir'\?/);

  const dir = tempDir(t);
  writeFileSync(join(dir, 'relu.onnx'), encodeModel(model(graph({
    nodes: [node('Relu', ['x'], ['y'])], inputs: [tensorInfo('x', 'float32', ['batch', 8])], outputs: [tensorInfo('y', 'float32', ['batch', 8])],
  }))));
  const ok = await exec(['-m=relu.onnx', '-onnx-define-symbol=batch,4', '-aic-hw', '-compile-only', '-aic-num-cores=64'], dir);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /x: float32\[4, 8\]/);
  t.match(ok.stdout, /y: float32\[4, 8\]/);
  t.match(ok.stdout, /Ignored \(no effect on the CPU backend\): aic_hw, compile_only/);
  t.match(ok.stdout, /Generated binary is present at .*relu_qpc/);
  t.ok(existsSync(join(dir, 'relu_qpc', 'programqpc.bin')));
  t.match(readFileSync(join(dir, 'relu_qpc', 'options.yaml'), 'utf8'), /aic_num_cores: 64/, 'more cores than this machine has: compiling does not use them');

  const unknown = await exec(['-m=relu.onnx', '-onnx-define-symbol=bacth,4'], dir);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /QAIC_UNKNOWN_SYMBOL.*'batch'/);
});

import t from 'tap';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { isolationOptions, parseRunnerArgs } from '../../lib/cli/runner-args.js';
import { resolveOptions } from '../../lib/options.js';
import { availableComputeUnits } from '../../lib/runtime/compute-units.js';
import { qaicExec } from './qaic-exec-helpers.js';

t.test("qaic-exec -compute-unit= and qaic-runner --compute-unit set compute_unit, in order", async (t) => {
  const exec = parseExecArgs(['-m=model.onnx', '-compute-unit=gpu,cpu']);
  t.equal(exec.kind, 'compile');
  if (exec.kind !== 'compile') return;
  t.same(exec.options.compute_unit, ['gpu', 'cpu']);
  const runner = parseRunnerArgs(['-t', 'model_qpc', '--compute-unit', 'all']);
  t.same(isolationOptions(runner).compute_unit, ['all']);
  t.same(resolveOptions(isolationOptions(runner)).compute_unit, ['npu', 'gpu', 'cpu']);
  t.notOk('compute_unit' in isolationOptions(parseRunnerArgs(['-t', 'model_qpc'])), 'absent when not given');
});

t.test('BAD INPUT - an unknown unit from the command line is the option error naming compute_unit', async (t) => {
  const exec = parseExecArgs(['-m=model.onnx', '-compute-unit=tpu']);
  if (exec.kind !== 'compile') return t.fail('expected a compile command');
  t.throws(() => resolveOptions(exec.options), { code: 'QAIC_INVALID_OPTION', message: /option 'compute_unit'.*got \["tpu"\]/ });
  t.throws(() => parseRunnerArgs(['-t', 'model_qpc', '--compute-unit', 'gpu', '--configure', 'throughput']), { code: 'QAIC_CLI_USAGE', message: /--compute-unit cannot be combined/ });
});

t.test('qaic-exec -list-compute-units prints each unit, its provider or why not, as availableComputeUnits() finds them', async (t) => {
  const { code, stdout, stderr } = await qaicExec(['-list-compute-units']);
  t.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  t.equal(lines.length, 3);
  t.equal(lines[0], `npu: not available: ${(await availableComputeUnits()).status.npu.reason}`);
  const gpu = (await availableComputeUnits()).status.gpu;
  t.equal(lines[1], gpu.available ? `gpu: available (onnxruntime provider '${gpu.provider}')` : `gpu: not available: ${gpu.reason}`, 'the same answer as in this process');
  t.equal(lines[2], "cpu: available (onnxruntime provider 'cpu')");
});

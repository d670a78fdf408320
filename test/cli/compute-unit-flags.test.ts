import t from 'tap';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { isolationOptions, parseRunnerArgs } from '../../lib/cli/runner-args.js';
import { resolveOptions } from '../../lib/options.js';

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

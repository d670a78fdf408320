/**
 * `isolation` and `run_timeout` (issue 12): accepted from code, camelCase and YAML, left out of the compile key,
 * and every bad value refused with the option, what was expected and what was given; the same for the
 * `qaic-runner` and `qaic-exec` flags.
 */
import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { programOptions, resolveOptions } from '../../lib/options.js';
import { isolationOptions, parseRunnerArgs } from '../../lib/cli/runner-args.js';
import { parseExecArgs } from '../../lib/cli/exec-args.js';

t.test('defaults, spellings and YAML', async (t) => {
  const defaults = resolveOptions({});
  t.equal(defaults.isolation, 'thread', 'thread by default');
  t.equal(defaults.run_timeout, 0, 'no run timeout by default');
  t.match(resolveOptions({ isolation: 'process', run_timeout: 250 }), { isolation: 'process', run_timeout: 250 });
  t.match(resolveOptions({ runTimeout: 7 } as never), { run_timeout: 7 }, 'camelCase');
  const dir = t.testdir({});
  const file = join(dir, 'options.yaml');
  writeFileSync(file, 'isolation: process\nrun-timeout: 1000\n');
  t.match(resolveOptions({ options_path: file }), { isolation: 'process', run_timeout: 1000 }, 'YAML keys');
  t.same(programOptions(resolveOptions({ isolation: 'process', run_timeout: 5 })), programOptions(defaults), 'neither enters the compile key');
});

t.test('BAD CALL - bad isolation and run_timeout values name the option, the expected and the given value', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ isolation: 'processes' }, /option 'isolation': expected one of 'thread', 'process' \(did you mean 'process'\?\), got 'processes'/],
    [{ isolation: true }, /option 'isolation'.*got true \(boolean\)/],
    [{ run_timeout: -1 }, /option 'run_timeout': expected an integer from 0 to 86400000, got -1 \(number\)/],
    [{ run_timeout: 1.5 }, /option 'run_timeout': expected an integer, got 1\.5 \(number\)/],
    [{ run_timeout: '500' }, /option 'run_timeout': expected an integer, got '500' \(string\)/],
  ];
  for (const [options, message] of cases) {
    t.throws(() => resolveOptions(options), { code: 'QAIC_INVALID_OPTION', message }, JSON.stringify(options));
  }
});

t.test('qaic-runner --isolation and --run-timeout', async (t) => {
  const args = parseRunnerArgs(['-t', 'm.onnx', '--isolation', 'process', '--run-timeout=800']);
  t.same(isolationOptions(args), { isolation: 'process', run_timeout: 800 }, 'become the session options');
  t.same(isolationOptions(parseRunnerArgs(['-t', 'm.onnx'])), {}, 'absent flags set nothing');
  t.throws(() => parseRunnerArgs(['-t', 'm.onnx', '--isolation', 'fork']), { code: 'QAIC_CLI_USAGE', message: /--isolation.*fork/ });
  t.throws(() => parseRunnerArgs(['-t', 'm.onnx', '--run-timeout', '-5']), { code: 'QAIC_CLI_USAGE', message: /--run-timeout/ });
  t.throws(() => parseRunnerArgs(['-t', 'm.onnx', '--run-timeout', 'soon']), { code: 'QAIC_CLI_USAGE', message: /--run-timeout.*soon/ });
  t.throws(() => parseRunnerArgs(['-t', 'm.onnx', '--configure', 'latency', '--isolation', 'process']), { code: 'QAIC_CLI_USAGE', message: /--isolation cannot be combined/ });
});

t.test('qaic-exec -isolation', async (t) => {
  t.match(parseExecArgs(['-m=m.onnx', '-isolation=process']), { kind: 'compile', options: { isolation: 'process' } });
  t.throws(() => parseExecArgs(['-m=m.onnx', '-isolation=sandbox']), { code: 'QAIC_CLI_USAGE', message: /-isolation.*sandbox/ });
});

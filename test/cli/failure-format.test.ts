// Every tool reports every failure, command-line mistakes included, as '<tool>: error [CODE]: message' on stderr,
// with exit code 2 for a command-line mistake and 1 otherwise; nothing on stdout.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

const CLI = join(process.cwd(), 'dist', 'lib', 'cli');

function run(tool: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(...withoutTapHooks(process.execPath, [join(CLI, `${tool}.js`), ...args]), { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('usage errors of the four tools share one format and a help hint', async (t) => {
  const cases: Array<[string, string[], RegExp]> = [
    ['qaic-exec', ['-m=a.onnx', '-batchsize=0'], /-batchsize must be at least 1, got 0/],
    ['qaic-exec', [], /no model given: pass -m=<model\.onnx>/],
    ['qaic-runner', ['-t', 'm.onnx', '--tim', '1'], /unknown flag '--tim'; did you mean '--time'\?/],
    ['qaic-runner', ['-t', 'm.onnx', '--configure', 'latency', '-a', '2'], /-a cannot be combined with it/],
    ['qaic-link', ['-o', 'out', '-nmes=a', 'p'], /unknown flag '-nmes'; did you mean '-names'\?/],
    ['qaic-conformance', ['--atol', '-1', '.'], /--atol expects a number of at least 0, got '-1'/],
    ['qaic-conformance', ['a', 'b'], /unexpected argument 'b'/],
  ];
  for (const [tool, args, message] of cases) {
    const r = run(tool, args);
    t.equal(r.status, 2, `${tool} ${args.join(' ')} exits 2`);
    t.match(r.stderr, new RegExp(`^${tool}: error \\[QAIC_CLI_USAGE\\]: `), 'the common format');
    t.match(r.stderr, message);
    t.match(r.stderr, new RegExp(`\\(run '${tool} -h' for usage\\)\\n$`), 'ends with the help hint');
    t.equal(r.stdout, '');
  }
});

t.test('-h of every tool prints usage under its name and exits 0', async (t) => {
  for (const tool of ['qaic-exec', 'qaic-runner', 'qaic-link', 'qaic-conformance']) {
    const r = run(tool, ['-h']);
    t.equal(r.status, 0, tool);
    t.match(r.stdout, new RegExp(`^Usage: ${tool} `));
  }
});

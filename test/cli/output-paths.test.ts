// Output paths are checked before any work starts, with a typed usage error naming the flag, and no folder the
// user did not name is ever created.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

const CLI = join(process.cwd(), 'dist', 'lib', 'cli');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

function run(tool: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(...withoutTapHooks(process.execPath, [join(CLI, `${tool}.js`), ...args]), { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('qaic-runner --json/--report/--configure-output: a folder or a missing folder fails before the run', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'missing', 'deeper');
  const cases: Array<[string[], RegExp]> = [
    [['--json', dir], /--json '.*' is a folder; give a file path, such as .*out\.json/],
    [['--report', dir], /--report '.*' is a folder; give a file path, such as .*report\.html/],
    [['--json', join(missing, 'x.json')], /--json '.*x\.json': the folder '.*deeper' it goes in does not exist \(qaic-runner does not create folders; create it first\)/],
    [['--report', join(missing, 'r.html')], /--report '.*r\.html': the folder .* does not exist/],
    [['--write-output-dir', missing], /--write-output-dir '.*deeper' is not an existing folder/],
  ];
  for (const [extra, message] of cases) {
    const r = run('qaic-runner', ['-t', CLS, ...SYMBOLS, '-n', '5', ...extra]);
    t.equal(r.status, 2, extra.join(' '));
    t.match(r.stderr, /^qaic-runner: error \[QAIC_CLI_USAGE\]: /);
    t.match(r.stderr, message);
    t.notMatch(r.stdout, /Loaded|InferenceCnt/, 'nothing ran');
  }
  const configure = run('qaic-runner', ['-t', CLS, '--configure', 'latency', '--configure-output', dir]);
  t.equal(configure.status, 2);
  t.match(configure.stderr, /--configure-output '.*' is a folder/);
  t.notMatch(configure.stdout, /Configuring/, 'nothing measured');
  t.notOk(existsSync(join(dir, 'missing')), 'no folder was created');
});

t.test('qaic-conformance: --json to a folder or a missing folder, a missing root, an empty root', async (t) => {
  const dir = tempDir(t);
  let r = run('qaic-conformance', [dir, '--json', dir]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-conformance: error \[QAIC_CLI_USAGE\]: --json '.*' is a folder/);
  t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack');
  r = run('qaic-conformance', [dir, '--json', join(dir, 'missing', 'x.json')]);
  t.equal(r.status, 2);
  t.match(r.stderr, /the folder '.*missing' it goes in does not exist/);
  t.notOk(existsSync(join(dir, 'missing')), 'no folder was created');
  r = run('qaic-conformance', [join(dir, 'nonexistent')]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-conformance: error \[QAIC_CLI_USAGE\]: '.*nonexistent' does not exist/);
  t.notMatch(r.stdout, /0 cases/);
  mkdirSync(join(dir, 'empty'));
  r = run('qaic-conformance', [join(dir, 'empty')]);
  t.equal(r.status, 1, 'a folder without cases is a failure, not a pass of 0 cases');
  t.match(r.stderr, /^qaic-conformance: error \[QAIC_FILE_NOT_FOUND\]: no test case under '.*empty'/);
});

t.test('qaic-exec -aic-binary-dir and qaic-link -o: the output folder is created, its parents never', async (t) => {
  const dir = tempDir(t);
  const r = run('qaic-exec', ['-m=' + CLS, '-aic-binary-dir=' + join(dir, 'a', 'b')]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-exec: error \[QAIC_CLI_USAGE\]: -aic-binary-dir '.*b': the folder '.*a' it would be created in does not exist/);
  t.notMatch(r.stdout, /Compile started/);
  const l = run('qaic-link', ['-o', join(dir, 'a', 'b'), CLS]);
  t.equal(l.status, 2);
  t.match(l.stderr, /^qaic-link: error \[QAIC_CLI_USAGE\]: -o '.*b': the folder '.*a' it would be created in does not exist/);
  t.notOk(existsSync(join(dir, 'a')), 'no folder was created');
});

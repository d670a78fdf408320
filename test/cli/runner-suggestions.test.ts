// Every fix a qaic-runner error suggests can be followed from the command line: the oversubscription refusal names
// --allow-oversubscription (which then runs), and --report's per-operator section comes with --profiling.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addOneModel } from '../fixtures/models.js';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(...withoutTapHooks(process.execPath, [RUNNER, ...args]), { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('oversubscription: the refusal names the flags, and --allow-oversubscription runs', async (t) => {
  const model = addOneModel([1, 4]);
  const activations = String(availableParallelism() + 1);
  const refused = run(['-t', model, '-a', activations, '-n', '20']);
  t.equal(refused.status, 2);
  t.match(refused.stderr, /^qaic-runner: error \[QAIC_OVERSUBSCRIBED\]: .*allow_oversubscription: true/);
  t.match(refused.stderr, /\[on the command line: num_activations is -a, aic_num_cores is --aic-num-cores, allow_oversubscription is --allow-oversubscription\]\n$/);
  const allowed = run(['-t', model, '-a', activations, '-n', '20', '--allow-oversubscription']);
  t.equal(allowed.status, 0, allowed.stderr);
  t.match(allowed.stdout, new RegExp(`Loaded main on ${activations} activation\\(s\\)`));
  t.match(allowed.stdout, /^InferenceCnt 20 /m);
});

t.test('--profiling prints the slowest operators and gives --report its per-operator section', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'report.html');
  const r = run(['-t', addOneModel([1, 4]), '-n', '30', '-S', '2', '--profiling', '--report', file]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, / ---- onnxruntime operators, all activations/);
  t.match(r.stdout, /^Add +\S+ +CPUExecutionProvider +\d+ /m, 'the Add node is in the operator table');
  const html = readFileSync(file, 'utf8');
  t.match(html, /Slowest operator nodes/);
  t.match(html, /Time per operator type/);
  const plain = run(['-t', addOneModel([1, 4]), '-n', '10', '--report', join(dir, 'plain.html')]);
  t.equal(plain.status, 0, plain.stderr);
  t.match(plain.stdout, /Wrote .*plain\.html \(run with --profiling for the per-operator section\)/);
  t.notMatch(readFileSync(join(dir, 'plain.html'), 'utf8'), /Slowest operator nodes/);
});

t.test('--configure on a model with symbolic dimensions names --onnx-define-symbol, not an API argument', async (t) => {
  const r = run(['-t', CLS, '--configure', 'latency', '--time', '0.1']);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-runner: error \[QAIC_CLI_USAGE\]: input 'x' has symbolic dims .*--onnx-define-symbol <name>,<size>/);
  t.notMatch(r.stderr, /inputShapes/);
});

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { runInProcess } from './runner-in-process.js';
import { tempDir } from '../program/helpers.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

/** The real command in a child process: exit code as the shell sees it. */
function spawnRunner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same code path in this process (what the bin's entry calls), faster on a loaded machine. */
const run = runInProcess;

t.test('the command itself exits 2 on a usage error and 1 on a missing program', async (t) => {
  const usage = spawnRunner(['-t', CLS, '-S', '0']);
  t.equal(usage.status, 2);
  t.match(usage.stderr, /^qaic-runner: error \[QAIC_CLI_USAGE\]: -S must be from 1 to 100000, got 0 \(run 'qaic-runner -h' for usage\)\n$/);
  const missing = spawnRunner(['-t', '/nonexistent/model_qpc']);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /qaic-runner: error \[QAIC_FILE_NOT_FOUND\]: .*'\/nonexistent\/model_qpc' does not exist/);
});

t.test('BAD CALL - command-line mistakes exit 2 with the flag named', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [[], /no program given: pass -t/],
    [['-t', CLS, '-S', '0'], /-S must be from 1 to 100000, got 0/],
    [['-t', CLS, '-a', 'two'], /-a expects an integer/],
    [['-t', CLS, '-n', '10', '--time', '2'], /give -n \(10\) or --time \(2\), not both/],
    [['-t', CLS, '--time', '-1'], /--time needs a value|--time expects a positive number/],
    [['-t', CLS, '--num-iters', '5'], /unknown flag '--num-iters'; did you mean '--num-iter'\?/],
    [['-t', CLS, '-n'], /-n needs a value/],
    [['-t', CLS, '--write-output-dir', '/nonexistent/qaic-dir'], /--write-output-dir '\/nonexistent\/qaic-dir' is not an existing folder/],
    [['-t', CLS, '-d', '3'], /\[QAIC_INVALID_OPTION\]: .*'dev_id': device 3 does not exist/],
    [['-t', CLS, '-a', '1024', '--aic-num-cores', '1024'], /\[QAIC_OVERSUBSCRIBED\].*allow_oversubscription is --allow-oversubscription/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    t.equal(r.status, 2, `exit 2 for ${args.join(' ')}`);
    t.match(r.stderr, /^qaic-runner: error \[QAIC_[A-Z_]+\]: /, 'one failure format');
    t.match(r.stderr, message);
    t.equal(r.stdout, '', 'nothing on stdout');
  }
});

t.test('BAD CALL - random inputs for a model with symbolic dimensions name the dimensions and the flag', async (t) => {
  const r = await run(['-t', CLS, '-n', '3']);
  t.equal(r.status, 2);
  t.match(r.stderr, /dimensions are symbolic: p2o\.DynamicDimension\.0 \(input 'x'\), .*--onnx-define-symbol <name>,<size>/);
});

t.test('a missing program exits 1 naming the path', async (t) => {
  const r = await run(['-t', '/nonexistent/model_qpc']);
  t.equal(r.status, 1);
  t.match(r.stderr, /qaic-runner: error \[QAIC_FILE_NOT_FOUND\]: .*'\/nonexistent\/model_qpc' does not exist/);
});

t.test('input files of the wrong count or size', async (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'x.bin');
  writeFileSync(good, Buffer.alloc(3 * 48 * 192 * 4));
  const short = join(dir, 'short.bin');
  writeFileSync(short, Buffer.alloc(100));
  const tooMany = await run(['-t', CLS, ...SYMBOLS, '-i', good, '-i', good]);
  t.equal(tooMany.status, 2, 'count mismatch is a usage error');
  t.match(tooMany.stderr, /the program has 1 input\(s\) \(x\), so give 1 -i file\(s\) in that order; got 2/);
  const wrongSize = await run(['-t', CLS, ...SYMBOLS, '-i', short]);
  t.equal(wrongSize.status, 1);
  t.match(wrongSize.stderr, /\[QAIC_FILE_INVALID\]: the input file for 'x' \(-i, float32 \[1, 3, 48, 192\]\) '.*short\.bin' is 100 bytes, expected exactly 110592/);
  const missing = await run(['-t', CLS, ...SYMBOLS, '-i', join(dir, 'nope.bin')]);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /\[QAIC_FILE_NOT_FOUND\]: cannot read the input file for 'x' .*'.*nope\.bin': no such file/);
});

// qaic-runner -i: each file is checked (regular file, exactly the input's size) before anything is read and before
// the activations load, so /dev/zero, a FIFO or a file of the wrong size fails at once.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('BAD CALL - /dev/zero, a FIFO and a wrong-sized file are refused before loading', async (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'fifo');
  t.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(3 * 48 * 192 * 4 + 4));
  const cases: Array<[string, RegExp]> = [
    ['/dev/zero', /\[QAIC_FILE_INVALID\]: the input file for 'x' \(-i, float32 \[1, 3, 48, 192\]\) '\/dev\/zero' is a character device, expected a regular file/],
    [fifo, /\[QAIC_FILE_INVALID\]: .*'.*fifo' is a FIFO, expected a regular file/],
    [big, /\[QAIC_FILE_INVALID\]: .*'.*big\.bin' is 110596 bytes, expected exactly 110592/],
  ];
  for (const [file, message] of cases) {
    const r = run(['-t', CLS, ...SYMBOLS, '-i', file, '-n', '5']);
    t.equal(r.status, 1, file);
    t.match(r.stderr, /^qaic-runner: error \[QAIC_FILE_INVALID\]: /);
    t.match(r.stderr, message);
    t.notMatch(r.stdout, /Loaded|Compiled/, 'refused before the program was compiled or loaded');
  }
});

t.test('BAD CALL - -i for an input whose dimensions are symbolic names --onnx-define-symbol, before loading', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'x.bin');
  writeFileSync(file, Buffer.alloc(16));
  const r = run(['-t', CLS, '-i', file]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-runner: error \[QAIC_CLI_USAGE\]: -i .*x\.bin: input 'x' has shape \[p2o\.DynamicDimension\.0, 3, .*\] with symbolic dimensions .*fix each with --onnx-define-symbol <name>,<size>/);
  t.notMatch(r.stdout, /Loaded|Compiled/);
});

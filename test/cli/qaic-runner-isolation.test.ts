/**
 * `qaic-runner --isolation process --run-timeout <ms>` (issue 12): the benchmark runs in child-process activations
 * and the options reach the session (recorded in the JSON document); a bad value is a usage error (exit 2).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

t.test('a benchmark in child-process activations', async (t) => {
  const dir = tempDir(t);
  const json = join(dir, 'result.json');
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '-n', '20', '--isolation', 'process', '--run-timeout', '60000', '--json', json], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^InferenceCnt 20 /m, 'the stats line counts every inference');
  const doc = JSON.parse(readFileSync(json, 'utf8'));
  t.equal(doc.options.isolation, 'process');
  t.equal(doc.options.run_timeout, 60000);
});

t.test('BAD CALL - a bad --isolation is a usage error naming the flag', async (t) => {
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, '--isolation', 'container'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 2);
  t.match(r.stderr, /--isolation.*container/);
});

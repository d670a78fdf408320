/**
 * `qaic-runner --compute-unit gpu,cpu` on a host without a GPU (a Vulkan loader pointed at nothing): the run falls
 * back to the CPU with the QAIC_COMPUTE_UNIT_FALLBACK warning, and the placement printout shows every node there.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';
import { NO_VULKAN_ENV } from '../fixtures/gpu.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

t.test('--compute-unit gpu,cpu without a GPU warns, runs on the CPU and prints the placement', async (t) => {
  const dir = tempDir(t);
  const json = join(dir, 'result.json');
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '-n', '5', '--compute-unit', 'gpu,cpu', '--json', json], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...NO_VULKAN_ENV },
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /QAIC_COMPUTE_UNIT_FALLBACK.*option 'compute_unit' \(gpu,cpu\): gpu: .*; running on cpu/);
  t.match(r.stdout, /---- Placement \(where onnxruntime ran each node, measured at activation\) ----\ncpu: \d+ node\(s\) in 1 subnet\(s\), 0 B copied in per inference\n  subnet 0: cpu, \d+ node\(s\) \(/);
  t.match(r.stdout, /\(measured on zeros of x 1x3x48x192\)/, 'the fixed dims, not 1s');
  t.match(r.stdout, /^InferenceCnt 5 /m);
  t.same(JSON.parse(readFileSync(json, 'utf8')).options.compute_unit, ['gpu', 'cpu']);
});

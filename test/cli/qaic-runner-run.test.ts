import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

t.test('a run prints the SDK stats line and the percentile table, writes outputs and the JSON document', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'out'));
  const input = join(dir, 'x.bin');
  writeFileSync(input, Buffer.from(new Float32Array(3 * 48 * 192).fill(0.25).buffer));
  const json = join(dir, 'result.json');
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '-a', '2', '--aic-num-cores', '1', '-S', '2', '-n', '120', '-i', input, '--write-output-dir', join(dir, 'out'), '--json', json], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.ok(lines.includes(`Input file: ${input}`));
  t.ok(lines.includes(' ---- Stats ----'));
  const stats = lines.find((l) => l.startsWith('InferenceCnt'))!;
  const m = /^InferenceCnt (\d+) TotalDuration (\d+)us BatchSize (\d+) Inf\/Sec (\d+\.\d{3})$/.exec(stats);
  t.ok(m, `stats line: ${stats}`);
  const [count, us, batch, rate] = [Number(m![1]), Number(m![2]), Number(m![3]), Number(m![4])];
  t.equal(count, 120);
  t.equal(batch, 1);
  t.ok(Math.abs(rate - (count * batch) / (us / 1e6)) / rate < 0.001, 'Inf/Sec = InferenceCnt x BatchSize / TotalDuration');
  for (const key of ['min', 'P25', 'P50', 'P75', 'P90', 'P99', 'P999', 'max', 'mean', 'stdev']) {
    t.ok(lines.some((l) => new RegExp(`^${key}\\s+\\d+\\.\\d{3}`).test(l)), `${key} row`);
  }
  t.ok(lines.some((l) => /^P999 .*UNDERSAMPLED \(needs 1000\)$/.test(l)), 'P999 on 120 samples is flagged');
  // the bar is '\r[###....]  42% N inferences'; onnxruntime's own log lines also start with '[', so match the bar itself
  t.notMatch(r.stderr + r.stdout, /\r\[[#.]+\]/, 'no progress bar when not on a terminal');
  const written = readdirSync(join(dir, 'out'));
  t.match(written, [/^softmax_0\.tmp_0-activation-[01]-inf-0\.bin$/]);
  t.equal(readFileSync(join(dir, 'out', written[0]!)).length, 2 * 4, 'the [1, 2] float32 output');
  const doc = JSON.parse(readFileSync(json, 'utf8'));
  t.equal(doc.benchmark.inf_completed, 120);
  t.equal(doc.options.num_activations, 2);
  t.equal(doc.options.set_size, 2);
});

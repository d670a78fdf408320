import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLS } from '../metrics/helpers.js';
import { tempDir } from '../program/helpers.js';
import { parseRunnerArgs } from '../../lib/cli/runner-args.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');
const SYMBOLS = ['--onnx-define-symbol', 'p2o.DynamicDimension.0,1', '--onnx-define-symbol', 'p2o.DynamicDimension.1,48', '--onnx-define-symbol', 'p2o.DynamicDimension.2,192'];

t.test('qaic-runner --scenario SingleStream prints a LoadGen-style summary and writes JSON and HTML with the LoadGen result', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'user.conf');
  // the model name is the file name without .onnx; the flag below wins over the file's min_query_count
  writeFileSync(conf, '*.SingleStream.min_duration = 100\nch_ppocr_mobile_v2.0_cls_infer.SingleStream.min_query_count = 500\n');
  const json = join(dir, 'run.json');
  const html = join(dir, 'run.html');
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '--scenario', 'SingleStream', '--settings', conf, '--min-query-count', '80', '--json', json, '--report', html], { encoding: 'utf8', timeout: 180_000 });
  t.ok(r.status === 0 || r.status === 3, `exit 0 (VALID) or 3 (INVALID): ${r.status} ${r.stderr}`);
  const lines = r.stdout.split('\n');
  t.ok(lines.some((l) => /^Scenario\s+: SingleStream$/.test(l)));
  t.ok(lines.some((l) => /^Result is\s+: (VALID|INVALID)$/.test(l)));
  t.ok(lines.some((l) => /^90th percentile latency \(ns\)\s+: \d+$/.test(l)), 'SingleStream headline is its p90');
  t.ok(lines.some((l) => /^min_duration\s+: 100 \(file\)$/.test(l)), 'settings file value, marked');
  t.ok(lines.some((l) => /^min_query_count\s+: 80 \(argument\)$/.test(l)), 'the flag wins over the file');
  t.ok(lines.some((l) => /^99\.90 percentile latency \(ns\)\s+: \d+$/.test(l)));
  const doc = JSON.parse(readFileSync(json, 'utf8'));
  t.equal(doc.benchmark.loadgen.scenario, 'SingleStream');
  t.equal(doc.benchmark.loadgen.queries, doc.benchmark.loadgen.raw.latency_ns.length);
  t.equal(r.status, doc.benchmark.loadgen.result === 'VALID' ? 0 : 3, 'exit code follows the verdict');
  const page = readFileSync(html, 'utf8');
  t.match(page, /LoadGen verdict \(SingleStream\)/);
  t.match(page, /LoadGen early stopping/);
  t.match(page, /LoadGen settings used/);
});

t.test('qaic-runner --find-peak prints every trial and the peak', async (t) => {
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '--find-peak', '--target-qps', '20', '--target-latency', '50', '--min-duration', '200', '--max-duration', '600', '--min-query-count', '20'], { encoding: 'utf8', timeout: 150_000 });
  t.ok(r.status === 0 || r.status === 3, `${r.status} ${r.stderr}`);
  const trials = r.stdout.split('\n').filter((l) => l.startsWith('trial: target_qps '));
  t.ok(trials.length >= 2 && trials.length <= 12, `${trials.length} trials`);
  t.match(trials[0], /^trial: target_qps 20\.00 (VALID|INVALID)/, 'the first trial is at --target-qps');
  t.match(r.stdout, /FindPeakPerformance \(Server, bisection\)/);
  t.match(r.stdout, /Peak: (target_qps \d+\.\d\d is the highest VALID rate tried|no rate tried was VALID)/);
});

t.test('LoadGen flags are checked on the command line', async (t) => {
  const p = (...a: string[]): unknown => parseRunnerArgs(['-t', 'm.onnx', ...a]);
  t.throws(() => p('--scenario', 'Servr'), { code: 'QAIC_CLI_USAGE', message: /--scenario expects one of SingleStream, MultiStream, Server, Offline, got 'Servr'/ });
  t.throws(() => p('--target-qps', '10'), { message: /--target-qps is a LoadGen setting: give --scenario/ });
  t.throws(() => p('--scenario', 'Server', '--target-qps', 'fast'), { message: /--target-qps expects a non-negative number, got 'fast'/ });
  t.throws(() => p('--scenario', 'Server', '--min-query-count', '1.5'), { message: /--min-query-count expects a non-negative integer/ });
  t.throws(() => p('--scenario', 'Offline', '--find-peak'), { message: /--find-peak searches a Server rate/ });
  t.throws(() => p('--scenario', 'Server', '-n', '10'), { message: /-n and --time set the closed-loop benchmark/ });
  t.throws(() => p('--settings', 'user.conf'), { message: /--settings is read for a LoadGen scenario/ });
  t.match(p('--scenario', 'Server', '--target-qps', '200', '--target-latency', '15'), { scenario: 'Server', targetQps: '200', targetLatency: '15' });
  const r = spawnSync(process.execPath, [RUNNER, '-t', CLS, ...SYMBOLS, '--scenario', 'Server', '--target-latency-percentile', '100'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 2, 'a setting the session refuses is a command-line error');
  t.match(r.stderr, /qaic-runner: error \[QAIC_INVALID_ARGUMENT\]: .*'target_latency_percentile' must be a percent above 0 and below 100/);
});

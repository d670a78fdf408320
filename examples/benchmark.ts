/**
 * A benchmark script: `runBenchmark()` (the Python `run_benchmark()`) on the detector with two activations for a
 * fixed time, printed as qaic-runner prints it, saved as the JSON metrics document and as the HTML report.
 * The example checks the result is self-consistent; speed itself is printed, not judged (the machine decides it).
 *
 * Usage: `node dist/examples/benchmark.js [seconds] [report.html]` (default 3 s, report in the OS temp folder).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, report } from 'qaic';
import { check, ocrModel } from './support.js';

const seconds = Number(process.argv[2] ?? 3);
const out = mkdtempSync(join(tmpdir(), 'qaic-benchmark-'));
const reportPath = process.argv[3] ?? join(out, 'report.html');
const session = new Session(ocrModel('det'), {
  enable_metrics: true,
  num_activations: 2,
  set_size: 2,
  onnx_define_symbol: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 },
});
try {
  await session.setup();
  const progress: Array<{ completed: number; elapsed: number }> = [];
  const result = await session.runBenchmark({ inf_time: seconds, onProgress: (p) => progress.push(p), progressMs: 100 });
  const [completed, rate, time, batch] = result;
  const lat = result.details.latency;
  console.log(`InferenceCnt ${completed} TotalDuration ${Math.round(time * 1e6)}us BatchSize ${batch} Inf/Sec ${rate.toFixed(3)}`);
  console.log(`latency ms: P50 ${(lat.percentiles.P50.value * 1e3).toFixed(2)}  P90 ${(lat.percentiles.P90.value * 1e3).toFixed(2)}  ` +
    `P99 ${(lat.percentiles.P99.value * 1e3).toFixed(2)}  max ${(lat.max * 1e3).toFixed(2)}  (CoV ${(lat.cov * 100).toFixed(1)} %)`);
  for (const w of result.details.warnings) console.log(`note: ${w}`);

  check(completed > 0 && batch === 1, `the benchmark completed inferences (${completed}) at batch size 1`);
  check(Math.abs(rate - (completed * batch) / time) < 1e-6 * rate, 'inf_rate = inf_completed × batch_size / inf_time');
  check(time >= seconds * 0.95, `it measured for the requested ${seconds} s (measured ${time.toFixed(3)} s)`);
  const perActivation = result.details.perActivation;
  check(perActivation.length === 2 && perActivation.reduce((s, a) => s + a.completed, 0) === completed,
    'both activations measured, and their counts add up to inf_completed');

  const jsonPath = join(out, 'metrics.json');
  const metrics = session.exportMetrics(jsonPath);
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as { schema?: string; histograms?: Record<string, string> };
  check(doc.schema === 'qaic-metrics' && Object.keys(doc.histograms ?? {}).some((k) => k.startsWith('benchmark.act')),
    `the JSON document ${jsonPath} holds the benchmark histograms`);

  writeFileSync(reportPath, report.renderRunReport({
    title: 'PP-OCRv4 detection, 256x384, 2 activations',
    command: `node dist/examples/benchmark.js ${seconds}`,
    metrics,
    benchmark: result,
    progress,
    inputs: session.modelInputShapeDict,
    outputs: session.modelOutputShapeDict,
  }));
  check(statSync(reportPath).size > 0, `HTML report written to ${reportPath}`);
} finally {
  await session.close();
}

/**
 * Metrics and profiling, as the Python API's `enable_profiling`: run a few pages through the detector, then read
 * `getMetrics()` (the Python dictionary, seconds), print it the Python way, print the profile (host stages and
 * onnxruntime's operator table), take the operator profile as data, and write a Perfetto trace and two charts.
 * The example checks the figures are consistent with what was run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, report } from 'qaic';
import { check, ocrModel, textPage } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-profiling-'));
const session = new Session(ocrModel('det'), {
  enable_profiling: true,
  onnx_define_symbol: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 },
  output_dir: join(dir, 'program'),
});
try {
  const recorder = report.RunRecorder.attach(session);
  await session.setup();
  const page = textPage(256, 384);
  const runs = 12;
  for (let i = 0; i < runs; i++) await session.run({ x: page.input.slice() });

  const m = session.getMetrics();
  session.printMetrics();
  check(m.num_of_inferences === runs - 1, `metrics count the ${runs - 1} steady-state inferences (the first is reported apart)`);
  check(m.min_latency <= m.P25 && m.P25 <= m.P50 && m.P50 <= m.P90 && m.P90 <= m.P99 && m.P99 <= m.max_latency,
    'percentiles are ordered: min <= P25 <= P50 <= P90 <= P99 <= max');
  check(Math.abs(m.avg_latency * m.num_of_inferences - m.total_inference_time) < 1e-9, 'average × count = total inference time');

  await session.printProfileData(3);
  const operators = await session.getOperatorProfile();
  const share = operators.reduce((s, o) => s + o.share, 0);
  const conv = operators.filter((o) => o.opType === 'Conv').reduce((s, o) => s + o.share, 0);
  console.log(`${operators.length} profiled nodes; Conv takes ${(conv * 100).toFixed(1)} % of operator time`);
  check(operators.length > 0 && Math.abs(share - 1) < 1e-6, 'the operator profile covers all operator time (shares add to 1)');
  check(operators.every((o) => o.calls === runs), `every node ran once per inference (${runs} calls)`);

  const tracePath = await session.writeTrace(join(dir, 'trace.json'));
  const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents?: unknown[] };
  check(Array.isArray(trace.traceEvents) && trace.traceEvents.length > 0, `the Perfetto trace ${tracePath} has events`);

  const percentileSvg = report.renderPercentileChart({ unit: 'ms', series: recorder.percentileSeries() });
  const operatorSvg = report.renderOperatorChart({ unit: 'ms', operators: report.operatorTypeTimes(operators) });
  writeFileSync(join(dir, 'latency.svg'), percentileSvg);
  writeFileSync(join(dir, 'operators.svg'), operatorSvg);
  check(percentileSvg.startsWith('<svg') && operatorSvg.includes('data-name="Conv"'), 'charts drawn: latency percentiles, and operator time with a Conv bar');
} finally {
  await session.close();
  rmSync(dir, { recursive: true, force: true });
}

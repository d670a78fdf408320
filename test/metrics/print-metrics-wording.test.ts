import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS, captureLog, clsInput } from './helpers.js';

const num = String.raw`(\d+(\.\d+)?(e-?\d+)?)`;

t.test('printMetrics() prints the Python lines, with P999 and one average line', async (t) => {
  const session = new Session(CLS, { enable_metrics: true, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  for (let i = 0; i < 12; i++) await session.run(clsInput());
  const m = session.get_metrics();
  t.same(Object.keys(m), ['num_of_inferences', 'min_latency', 'max_latency', 'P25', 'P50', 'P75', 'P90', 'P99', 'P999', 'total_inference_time', 'avg_latency'], 'exactly the Python keys, in order');
  t.equal(m.num_of_inferences, 11, 'the first inference of the activation is excluded');
  t.ok(m.min_latency > 0 && m.min_latency <= m.P25 && m.P25 <= m.P50 && m.P50 <= m.P99 && m.P99 <= m.max_latency, 'ordered, in seconds');
  t.ok(m.max_latency < 10, 'seconds, not ns or ms');
  t.ok(Math.abs(m.avg_latency * m.num_of_inferences - m.total_inference_time) < 1e-12, 'average is the sum over the count');
  const lines = await captureLog(() => session.print_metrics());
  const expected = [
    /^Number of inferences utilized for calculation are 11$/,
    new RegExp(`^Minimum latency observed ${num} s$`),
    new RegExp(`^Maximum latency observed ${num} s$`),
    new RegExp(`^Average latency / inference time observed is ${num} s$`),
    new RegExp(`^P25 / 25% of inferences observed latency less than ${num} s$`),
    new RegExp(`^P50 / 50% of inferences observed latency less than ${num} s$`),
    new RegExp(`^P75 / 75% of inferences observed latency less than ${num} s$`),
    new RegExp(`^P90 / 90% of inferences observed latency less than ${num} s$`),
    new RegExp(`^P99 / 99% of inferences observed latency less than ${num} s$`),
    new RegExp(`^P999 / 99.9% of inferences observed latency less than ${num} s$`),
    new RegExp(`^Sum of all the inference times ${num} s$`),
  ];
  t.equal(lines.length, expected.length, 'no duplicated average line');
  expected.forEach((re, i) => t.match(lines[i], re));
  t.equal(lines[1], `Minimum latency observed ${m.min_latency} s`, 'the printed value is the get_metrics() value');
  const report = session.getMetricsReport();
  t.ok(report.stages.e2e && report.stages.queue && report.stages.ort, 'the breakdown has end-to-end, queue and onnxruntime stages');
  t.ok(report.firstInference[0]?.e2e !== undefined, 'the first inference is reported apart');
  t.equal(report.stages.e2e!.all.percentiles.P999.undersampled, true, 'P999 on 11 samples is flagged');
  t.match(report.percentileMethod, /nearest-rank/);
});

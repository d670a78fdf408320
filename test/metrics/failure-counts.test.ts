// Failed inferences are counted by error code in the metrics, never timed: getMetricsReport().failures, a warning,
// a line in printMetrics() and the exported document's breakdown all say how many runs failed after their inputs
// were accepted, while the stages keep the successful runs only.
import t from 'tap';
import { Session } from '../../lib/session.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { writeModel } from '../fixtures/models.js';

t.test('runs onnxruntime refuses are counted per code and kept out of the latencies', async (t) => {
  // Reshape to a shape taken from the second input: a bad shape passes the input checks and fails inside onnxruntime.
  const path = writeModel(model(graph({
    nodes: [node('Reshape', ['x', 's'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [6]), tensorInfo('s', 'int64', [2])],
    outputs: [tensorInfo('y', 'float32', null)],
  })), 'reshape-failures');
  const session = new Session(path, { enable_metrics: true });
  t.teardown(() => session.close());
  const good = (): Promise<unknown> => session.run({ x: new Float32Array(6), s: new BigInt64Array([2n, 3n]) });
  const bad = (): Promise<unknown> => session.run({ x: new Float32Array(6), s: new BigInt64Array([4n, 4n]) }).then(() => 'resolved', (e: { code?: string }) => e.code);

  t.same(session.getMetricsReport().failures, { total: 0, byCode: {} }, 'no failures before any run');
  await good(); // the first inference, kept apart
  for (let i = 0; i < 4; i++) await good();
  t.equal(await bad(), 'QAIC_RUN_FAILED');
  t.equal(await bad(), 'QAIC_RUN_FAILED');
  // an input the checks refuse never reaches an activation: not a failed inference
  await t.rejects(session.run({ x: new Float32Array(5), s: new BigInt64Array([2n, 3n]) }), { code: 'QAIC_INPUT_SHAPE' });

  const report = session.getMetricsReport();
  t.same(report.failures, { total: 2, byCode: { QAIC_RUN_FAILED: 2 } }, 'two failed runs, by code');
  t.equal(report.stages.e2e?.all.count, 4, 'the stages hold the four steady-state successful runs only');
  t.ok(report.warnings.some((w) => /^failures: 2 run\(\) inference\(s\) failed \(QAIC_RUN_FAILED 2\)/.test(w)), 'a warning says so');

  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    session.printMetrics();
  } finally {
    console.log = log;
  }
  t.ok(lines.includes('Failed inferences, not in the figures above: 2 (QAIC_RUN_FAILED: 2; see getMetricsReport().failures)'), 'printMetrics() prints the failures');
  t.notOk('failures' in session.getMetrics(), 'getMetrics() keeps the Python keys only');

  const doc = session.exportMetrics() as { breakdown: { failures: unknown } };
  t.same(doc.breakdown.failures, { total: 2, byCode: { QAIC_RUN_FAILED: 2 } }, 'the exported document carries them');

  await session.reset();
  t.same(session.getMetricsReport().failures, { total: 2, byCode: { QAIC_RUN_FAILED: 2 } }, 'reset() releases activations, not the figures');
});

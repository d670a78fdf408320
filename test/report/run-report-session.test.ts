// A real session (PP-OCR direction classifier, profiling on) run through run() with a RunRecorder and through
// runBenchmark(): the run report built from its results has all four charts, drawn from real measurements.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { RunRecorder } from '../../lib/report/run-recorder.js';
import { buildRunReport, renderRunReport } from '../../lib/report/run-report.js';
import { CLS_MODEL } from '../fixtures/models.js';
import { deepText, findAll, parseXml } from './xml.js';

t.test('report of a profiled session with run() calls and a benchmark', async (t) => {
  const outputDir = mkdtempSync(join(tmpdir(), 'qaic-run-report-'));
  const session = new Session(CLS_MODEL, {
    enable_profiling: true,
    num_activations: 2,
    onnx_define_symbol: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 },
    output_dir: outputDir,
  });
  t.teardown(async () => {
    await session.close();
    rmSync(outputDir, { recursive: true, force: true });
  });
  const recorder = RunRecorder.attach(session);
  await session.setup();
  for (let i = 0; i < 10; i++) {
    await Promise.all([0, 1].map(() => session.run({ x: new Float32Array(3 * 48 * 192).fill(i / 10) })));
  }
  t.equal(recorder.runs.length, 20, 'every run() recorded');
  t.same(recorder.activations(), [0, 1]);
  const benchmark = await session.runBenchmark({ num_inferences: 40 });
  const operators = await session.getOperatorProfile();
  t.ok(operators.some((o) => o.opType === 'Conv'), 'the classifier profile has Conv nodes');

  const report = buildRunReport({
    title: 'cls <test>',
    generatedAt: '2026-01-01T00:00:00Z',
    metrics: session.exportMetrics(),
    benchmark,
    recorder,
    operators,
    inputs: session.modelInputShapeDict,
    outputs: session.modelOutputShapeDict,
  });
  t.same(report.charts.map((c) => c.heading), ['Latency by percentile', 'Latency histogram per activation', 'Throughput over time', 'Time per operator type']);
  const percentile = parseXml(report.charts[0]!.svg);
  t.same(findAll(percentile, (e) => e.attributes.class === 'series').map((e) => e.attributes['data-series']),
    ['all activations', 'activation 0', 'activation 1'], 'one curve per activation plus the merged one');
  const ops = parseXml(report.charts[3]!.svg);
  t.ok(findAll(ops, (e) => e.attributes.class === 'bar').some((b) => b.attributes['data-name'] === 'Conv'), 'Conv has a bar');
  t.equal(report.summary.find(([k]) => k === 'inferences measured')?.[1], benchmark.inf_completed);

  const html = renderRunReport({ title: 'cls', metrics: session.exportMetrics(), benchmark, recorder, operators });
  const body = parseXml(html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7));
  t.equal(findAll(body, (e) => e.name === 'svg').length, 4, 'four inline charts');
  t.match(deepText(body), /Benchmark per activation/);
});

t.test('report without measurements says what is missing', async (t) => {
  const report = buildRunReport({ title: 'empty', generatedAt: 'now' });
  t.equal(report.charts.length, 0);
  const notes = report.tables?.find((x) => x.heading === 'Notes');
  t.ok(notes !== undefined && notes.rows.length === 2, 'two notes: no latency distribution, no throughput timeline');
});

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistogramLogReader, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { Session } from '../../lib/session.js';
import { METRICS_SCHEMA_VERSION } from '../../lib/metrics/export.js';
import { CLS, CLS_SYMBOLS, clsInput } from './helpers.js';

t.test('the JSON document and the HdrHistogram log carry the same histograms', async (t) => {
  const session = new Session(CLS, { enable_metrics: true, num_activations: 2, aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await Promise.all(Array.from({ length: 10 }, () => session.run(clsInput())));
  await session.runBenchmark({ num_inferences: 30, emitWarnings: false });
  const file = join(t.testdir(), 'metrics.json');
  session.exportMetrics(file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  t.equal(doc.schema, 'qaic-metrics');
  t.equal(doc.schemaVersion, METRICS_SCHEMA_VERSION);
  t.same(doc.summary, session.getMetrics(), 'summary is get_metrics()');
  t.ok(doc.environment.cpuModel.length > 0 && doc.environment.logicalCores > 0, 'CPU model and cores');
  t.match(doc.environment.onnxruntimeVersion, /^\d+\.\d+\.\d+/);
  t.match(doc.environment.qaicVersion, /^\d+\.\d+\.\d+/);
  t.equal(doc.options.enable_metrics, true, 'options recorded');
  t.equal(doc.benchmark.inf_completed, 30, 'last benchmark recorded');
  t.ok(doc.breakdown.stages.e2e.activations['0'] !== undefined || doc.breakdown.stages.e2e.activations['1'] !== undefined, 'per activation breakdown');
  const total = Object.entries(doc.histograms as Record<string, string>)
    .filter(([tag]) => tag.startsWith('e2e.'))
    .reduce((n, [, b64]) => n + decodeFromCompressedBase64(b64).totalCount, 0);
  t.equal(total, session.getMetrics().num_of_inferences, 'the compressed histograms decode to the same counts');

  const log = session.histogramLog();
  t.match(log, /#\[Histogram log format version 1\.3\]/);
  const reader = new HistogramLogReader(log);
  const counts: Record<string, number> = {};
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) counts[h.tag] = h.totalCount;
  t.equal(Object.entries(counts).filter(([tag]) => tag.startsWith('benchmark.')).reduce((n, [, c]) => n + c, 0), 30, 'benchmark histograms in the log');
  t.equal(Object.entries(counts).filter(([tag]) => tag.startsWith('e2e.')).reduce((n, [, c]) => n + c, 0), session.getMetrics().num_of_inferences);
});

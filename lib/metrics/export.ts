/**
 * Exports that outlive the process: a versioned JSON document and the HdrHistogram interval log.
 *
 * The JSON document is the one format for results (`qaic-runner --json`, `session.exportMetrics()`); its
 * `schemaVersion` changes only when a field changes meaning. The HdrHistogram log (format 1.3) can be read by
 * any HdrHistogram implementation (Java, C, Rust, Python, JS) to merge runs or plot them.
 */
import { HistogramLogWriter, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { environment, type Environment } from './environment.js';
import { STAGES, newHistogram, type LatencyStore } from './latency-store.js';
import { buildReport, sessionMetrics, type GraphStores, type MetricsReport, type PythonMetrics } from './report.js';

/** Version of {@link MetricsDocument}'s layout. */
export const METRICS_SCHEMA_VERSION = 1;

/** The JSON export. Times in seconds unless a field says otherwise. */
export interface MetricsDocument {
  /** always `'qaic-metrics'`: tells this document apart from other JSON files */
  schema: 'qaic-metrics';
  /** layout version, {@link METRICS_SCHEMA_VERSION} when written; changes only when a field changes meaning */
  schemaVersion: number;
  /** ISO 8601 time the document was written */
  createdAt: string;
  /** the Python `get_metrics()` dictionary (end-to-end `run()` latencies, steady state; per graph in `graphs`) */
  summary: PythonMetrics;
  /** stage by stage and activation by activation (per graph in `graphs`), as `getMetricsReport()` */
  breakdown: MetricsReport;
  /** the last `runBenchmark()` result, when there was one */
  benchmark?: unknown;
  /** the machine and software versions the figures were measured with */
  environment: Environment;
  /** the session's resolved options */
  options: Record<string, unknown>;
  /** the model or program measured */
  model?: string;
  /** every histogram, compressed (HdrHistogram V2 base64), tagged `<stage>.act<index>`, values in ns */
  histograms: Record<string, string>;
}

/** Build the JSON document; `extra.graphs`: each graph's latencies, for a session that serves several. */
export function metricsDocument(store: LatencyStore, extra: { options: Record<string, unknown>; model?: string; benchmark?: unknown; graphs?: GraphStores }): MetricsDocument {
  const histograms: Record<string, string> = {};
  for (const stage of STAGES) {
    for (const a of store.activations(stage)) {
      const h = store.histogram(stage, a)!;
      histograms[`${stage}.act${a}`] = encodeIntoCompressedBase64(h);
    }
  }
  const doc: MetricsDocument = {
    schema: 'qaic-metrics',
    schemaVersion: METRICS_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    summary: sessionMetrics(store, extra.graphs),
    breakdown: buildReport(store, extra.graphs),
    environment: environment(),
    options: extra.options,
    histograms,
  };
  if (extra.model !== undefined) doc.model = extra.model;
  if (extra.benchmark !== undefined) doc.benchmark = extra.benchmark;
  return doc;
}

/**
 * The HdrHistogram log (format version 1.3): one interval line per (stage, activation), tagged
 * `<stage>.act<index>`, values in nanoseconds, timestamps in seconds since the epoch.
 */
export function histogramLog(store: LatencyStore): string {
  let text = '';
  const writer = new HistogramLogWriter((s: string) => {
    text += s;
  });
  writer.outputComment('qaic latency histograms; values in nanoseconds; tag = <stage>.act<activation index>');
  writer.outputLogFormatVersion();
  writer.outputLegend();
  for (const stage of STAGES) {
    for (const a of store.activations(stage)) {
      const copy = newHistogram();
      copy.add(store.histogram(stage, a)!);
      copy.tag = `${stage}.act${a}`;
      const range = store.range(stage, a)!;
      writer.outputIntervalHistogram(copy, range.startMs / 1000, range.endMs / 1000, 1);
    }
  }
  return text;
}

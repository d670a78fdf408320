/**
 * Exports that outlive the process: a versioned JSON document and the HdrHistogram interval log.
 *
 * The JSON document is the one format for results (`qaic-runner --json`, `session.exportMetrics()`); its
 * `schemaVersion` changes only when a field changes meaning. The HdrHistogram log (format 1.3) can be read by
 * any HdrHistogram implementation (Java, C, Rust, Python, JS) to merge runs or plot them.
 */
import { HistogramLogWriter, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
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
  /**
   * every histogram, compressed (HdrHistogram V2 base64), values in ns, tagged `<stage>.act<index>`; for a session
   * serving several graphs, each graph's too, tagged `<graph>/<stage>.act<index>` (the same tags as
   * {@link histogramLog})
   */
  histograms: Record<string, string>;
}

/** One histogram of a store, as both exports write it. */
interface TaggedHistogram {
  /** `<stage>.act<index>`, or `<graph>/<stage>.act<index>` for one graph's (graph names hold no `/` nor `,`) */
  tag: string;
  histogram: Histogram;
  /** when its first and last values were recorded (ms since the epoch) */
  range: { startMs: number; endMs: number };
}

/**
 * Every histogram of `store`, then each graph's (`graphs`), tagged: the one list both exports write, so the JSON
 * document and the log cannot carry different histograms.
 */
function taggedHistograms(store: LatencyStore, graphs: GraphStores | undefined): TaggedHistogram[] {
  const out: TaggedHistogram[] = [];
  const add = (from: LatencyStore, prefix: string): void => {
    for (const stage of STAGES) {
      for (const a of from.activations(stage)) out.push({ tag: `${prefix}${stage}.act${a}`, histogram: from.histogram(stage, a)!, range: from.range(stage, a)! });
    }
  };
  add(store, '');
  for (const [graph, graphStore] of graphs ?? []) add(graphStore, `${graph}/`);
  return out;
}

/** Build the JSON document; `extra.graphs`: each graph's latencies, for a session that serves several. */
export function metricsDocument(store: LatencyStore, extra: { options: Record<string, unknown>; model?: string; benchmark?: unknown; graphs?: GraphStores }): MetricsDocument {
  const histograms: Record<string, string> = {};
  for (const h of taggedHistograms(store, extra.graphs)) histograms[h.tag] = encodeIntoCompressedBase64(h.histogram);
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
 * `<stage>.act<index>`, then, for a session serving several graphs (`graphs`), one per (graph, stage, activation),
 * tagged `<graph>/<stage>.act<index>`; values in nanoseconds, timestamps in seconds since the epoch.
 */
export function histogramLog(store: LatencyStore, graphs?: GraphStores): string {
  let text = '';
  const writer = new HistogramLogWriter((s: string) => {
    text += s;
  });
  writer.outputComment('qaic latency histograms; values in nanoseconds; tag = <stage>.act<activation index>, or <graph>/<stage>.act<activation index> for one graph\'s');
  writer.outputLogFormatVersion();
  writer.outputLegend();
  for (const { tag, histogram, range } of taggedHistograms(store, graphs)) {
    // tagged on a copy: the store's histogram is shared by every report
    const copy = newHistogram();
    copy.add(histogram);
    copy.tag = tag;
    writer.outputIntervalHistogram(copy, range.startMs / 1000, range.endMs / 1000, 1);
  }
  return text;
}

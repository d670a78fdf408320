/**
 * Assemble a run's HTML report from what a run leaves behind: the metrics export (histograms, Python metrics,
 * environment), the benchmark result, the per-inference timeline of a {@link RunRecorder}, and onnxruntime's
 * per-operator profile. Each part is optional; the report shows what was measured and says what was not.
 */
import type { BenchmarkResult } from '../metrics/benchmark.js';
import type { MetricsDocument } from '../metrics/export.js';
import type { OperatorRow } from '../profiling/ort-profile.js';
import { environmentRows } from './environment.js';
import { renderHistogramChart } from './histogram-chart.js';
import { stageSeries, type StageSeries } from './hdr-source.js';
import { renderHtmlReport, type ReportChart, type ReportTable, type RunReport } from './html-report.js';
import { renderOperatorChart } from './operator-chart.js';
import { renderPercentileChart } from './percentile-chart.js';
import type { RunRecorder } from './run-recorder.js';
import type { LoadgenDetails } from '../loadgen/scenarios.js';
import type { PeakResult } from '../loadgen/find-peak.js';
import { loadgenReportSections } from '../loadgen/report-sections.js';
import { recordRows, shapeDictRows, type Cell, type ShapeDictLike } from './table.js';
import { renderThroughputChart, type ThroughputPoint } from './throughput-chart.js';

/** What a report can be built from. */
export interface RunReportInput {
  /** e.g. `qaic-runner: det.onnx` */
  title: string;
  /** the command line or call, shown verbatim */
  command?: string;
  /** ISO 8601 time of the run; default: now */
  generatedAt?: string;
  /** `session.exportMetrics()`: histograms per stage and activation, Python metrics, environment, options */
  metrics?: MetricsDocument;
  /** `session.runBenchmark()`'s result */
  benchmark?: BenchmarkResult;
  /** per-inference timeline of `run()` calls (gives throughput over time) */
  recorder?: RunRecorder;
  /**
   * `runBenchmark()` progress snapshots (`onProgress`): cumulative inferences at seconds into the run; consecutive
   * snapshots give throughput over time when there is no recorder
   */
  progress?: ReadonlyArray<{
    /** measured inferences completed so far, all activations */
    completed: number;
    /** seconds since `runBenchmark()` was called */
    elapsed: number;
  }>;
  /** `session.getOperatorProfile()` */
  operators?: readonly OperatorRow[];
  /** `session.modelInputShapeDict`, shown as the inputs table */
  inputs?: ShapeDictLike;
  /** `session.modelOutputShapeDict`, shown as the outputs table */
  outputs?: ShapeDictLike;
  /** a LoadGen scenario's `details.loadgen` (`runBenchmark({ scenario })`): verdict, latency, early stopping, settings */
  loadgen?: LoadgenDetails;
  /** a `findPeak()` result: the trials table */
  peak?: PeakResult;
}

const ms = (seconds: number): number => seconds * 1e3;

/**
 * Throughput over time from progress snapshots (cumulative inferences at seconds into the run), in items per second
 * (`itemsPerInference` = batch size). Snapshots arrive irregularly (counts are published in bursts), so the
 * cumulative curve is interpolated linearly and differenced over equal windows: the rate of a window is what was
 * completed in it, not an artefact of when a snapshot happened to arrive.
 *
 * @param windowSeconds default: the run's length / 20, at least 0.5 s (never shorter than the run)
 */
export function progressThroughput(
  progress: ReadonlyArray<{ completed: number; elapsed: number }>,
  itemsPerInference = 1,
  windowSeconds?: number,
): ThroughputPoint[] {
  const curve = [{ completed: 0, elapsed: 0 }];
  for (const p of progress) {
    const last = curve[curve.length - 1]!;
    if (p.elapsed > last.elapsed && p.completed >= last.completed) curve.push({ completed: p.completed, elapsed: p.elapsed });
  }
  const span = curve[curve.length - 1]!.elapsed;
  if (curve.length < 2 || !(span > 0)) return [];
  const window = Math.min(span, windowSeconds ?? Math.max(0.5, span / 20));
  const at = (t: number): number => {
    let i = 1;
    while (i < curve.length - 1 && curve[i]!.elapsed < t) i++;
    const a = curve[i - 1]!;
    const b = curve[i]!;
    return a.completed + ((b.completed - a.completed) * (Math.min(t, b.elapsed) - a.elapsed)) / (b.elapsed - a.elapsed);
  };
  const points: ThroughputPoint[] = [];
  const windows = Math.max(1, Math.floor(span / window + 1e-9));
  for (let w = 1; w <= windows; w++) {
    points.push({ t: w * window, rate: ((at(w * window) - at((w - 1) * window)) * itemsPerInference) / window });
  }
  return points;
}

/** Time per operator type (all nodes of a type together), for the bar chart; seconds → ms. */
export function operatorTypeTimes(rows: readonly OperatorRow[]): Array<{
  /** operator type, e.g. `Conv` */
  name: string;
  /** kernel time of all nodes of that type summed over the profiled calls, in ms */
  time: number;
}> {
  const byType = new Map<string, number>();
  for (const r of rows) byType.set(r.opType, (byType.get(r.opType) ?? 0) + r.total);
  return [...byType].map(([name, total]) => ({ name, time: ms(total) }));
}

function latencySeries(input: RunReportInput, notes: string[]): { series: StageSeries; source: string } | undefined {
  const recorder = input.recorder;
  if (recorder !== undefined && recorder.runs.some((r) => r.ok && !r.first)) {
    return { series: { percentiles: recorder.percentileSeries(), histograms: recorder.histogramSeries() }, source: 'end-to-end run() latency, steady state (first inference of each activation excluded)' };
  }
  const h = input.metrics?.histograms;
  if (h === undefined) return undefined;
  for (const [stage, source] of [
    ['benchmark', 'runBenchmark() latency inside the activations, issue to completion'],
    ['e2e', 'end-to-end run() latency, steady state'],
  ] as const) {
    if (Object.keys(h).some((tag) => tag.startsWith(`${stage}.act`))) {
      try {
        return { series: stageSeries(h, stage), source: `${source} (from the HdrHistograms of the metrics)` };
      } catch (error) {
        // say why this stage gave no chart, then try the next one
        notes.push(`the '${stage}' latency histograms could not be charted: ${(error as Error).message}`);
      }
    }
  }
  return undefined;
}

/** Build the {@link RunReport} data (charts rendered, tables filled) from a run's results. */
export function buildRunReport(input: RunReportInput): RunReport {
  const summary: Array<[string, Cell]> = [];
  const charts: ReportChart[] = [];
  const tables: ReportTable[] = [];
  const notes: string[] = [];
  const b = input.benchmark;
  if (b !== undefined) {
    const d = b.details;
    summary.push(['throughput (inf/s)', b.inf_rate], ['inferences measured', b.inf_completed], ['measured window (s)', b.inf_time],
      ['batch size', b.batch_size], ['activations × depth', `${d.activations} × ${d.depth}`],
      ['latency P50 (ms)', ms(d.latency.percentiles.P50.value)], ['latency P99 (ms)', ms(d.latency.percentiles.P99.value)],
      ['latency P99.9 (ms)', ms(d.latency.percentiles.P999.value)], ['latency max (ms)', ms(d.latency.max)],
      ['latency CoV', d.latency.cov]);
    tables.push({
      heading: 'Benchmark per activation',
      columns: ['activation', 'inferences', 'window (s)', 'inf/s', 'mean (ms)', 'P50 (ms)', 'P99 (ms)', 'max (ms)'],
      rows: d.perActivation.map((a) => [`activation ${a.activation}`, a.completed, a.seconds, a.seconds > 0 ? (a.completed * d.batchSize) / a.seconds : 0,
        ms(a.latency.mean), ms(a.latency.percentiles.P50.value), ms(a.latency.percentiles.P99.value), ms(a.latency.max)]),
    });
    for (const w of d.warnings) notes.push(w);
  } else if (input.metrics !== undefined && input.metrics.summary.num_of_inferences > 0) {
    const m = input.metrics.summary;
    summary.push(['inferences', m.num_of_inferences], ['latency P50 (ms)', ms(m.P50)], ['latency P99 (ms)', ms(m.P99)],
      ['latency P99.9 (ms)', ms(m.P999)], ['latency max (ms)', ms(m.max_latency)], ['mean latency (ms)', ms(m.avg_latency)]);
  }
  // LoadGen scenarios (lib/loadgen): their verdict and figures come first
  if (input.loadgen !== undefined || input.peak !== undefined) {
    const sections = loadgenReportSections(input.loadgen, input.peak);
    summary.unshift(...sections.summary);
    tables.unshift(...sections.tables);
    notes.push(...sections.notes);
  }
  const latency = latencySeries(input, notes);
  if (latency !== undefined) {
    charts.push({ heading: 'Latency by percentile', caption: latency.source, svg: renderPercentileChart({ unit: 'ms', series: latency.series.percentiles }) });
    charts.push({ heading: 'Latency histogram per activation', caption: latency.source, svg: renderHistogramChart({ unit: 'ms', series: latency.series.histograms }) });
  } else {
    notes.push('No latency distribution: enable metrics (enable_metrics) or record run() calls to get the percentile curve and histograms.');
  }
  const progressPoints = input.progress === undefined ? [] : progressThroughput(input.progress, b?.batch_size ?? 1);
  if (input.recorder !== undefined && input.recorder.runs.some((r) => r.ok)) {
    charts.push({ heading: 'Throughput over time', caption: 'completed run() calls per second, all activations, warm-up included',
      svg: renderThroughputChart({ series: input.recorder.throughputSeries(undefined, b?.batch_size ?? 1) }) });
  } else if (progressPoints.length > 0) {
    charts.push({ heading: 'Throughput over time', caption: 'runBenchmark() inferences per second in equal windows (interpolated from progress reports), all activations, warm-up excluded',
      svg: renderThroughputChart({ series: [{ label: 'all activations', points: progressPoints }] }) });
  } else {
    notes.push('No throughput-over-time chart: it needs per-inference completion times, which a RunRecorder on run() calls or runBenchmark() progress snapshots give.');
  }
  if (input.operators !== undefined && input.operators.length > 0) {
    const types = operatorTypeTimes(input.operators);
    if (types.some((t) => t.time > 0)) {
      charts.push({ heading: 'Time per operator type', caption: 'onnxruntime profile, all activations and profiled inferences (total ms)',
        svg: renderOperatorChart({ unit: 'ms', operators: types }) });
    }
    tables.push({
      heading: 'Slowest operator nodes',
      columns: ['node', 'op type', 'calls', 'total (ms)', 'mean (ms)', 'share'],
      rows: input.operators.slice(0, 15).map((r) => [r.node, r.opType, r.calls, ms(r.total), ms(r.mean), `${(r.share * 100).toFixed(1)}%`]),
    });
  }
  if (input.metrics !== undefined && input.metrics.summary.num_of_inferences > 0) {
    tables.push({ heading: 'get_metrics() (run() calls, seconds)', columns: ['metric', 'value'], rows: recordRows({ ...input.metrics.summary }) });
  }
  if (input.inputs !== undefined) tables.push({ heading: 'Inputs', columns: ['name', 'shape', 'dtype'], rows: shapeDictRows(input.inputs) });
  if (input.outputs !== undefined) tables.push({ heading: 'Outputs', columns: ['name', 'shape', 'dtype'], rows: shapeDictRows(input.outputs) });
  if (input.metrics !== undefined) {
    const opts = Object.entries(input.metrics.options).filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0));
    tables.push({ heading: 'Options', columns: ['option', 'value'], rows: recordRows(Object.fromEntries(opts)) });
  }
  if (notes.length > 0) tables.push({ heading: 'Notes', columns: ['note'], rows: notes.map((n) => [n]), rowHeaders: false });
  return {
    title: input.title,
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    summary,
    charts,
    tables,
    environment: environmentRows(input.metrics?.environment),
    ...(input.command === undefined ? {} : { command: input.command }),
  };
}

/** {@link buildRunReport} rendered as the self-contained HTML document. */
export function renderRunReport(input: RunReportInput): string {
  return renderHtmlReport(buildRunReport(input));
}

/**
 * Turning recorded latencies into what users read: the Python `get_metrics()` dictionary, its printout, and the
 * richer breakdown (stage by stage, activation by activation, first inference apart).
 */
import { PERCENTILE_METHOD } from './percentiles.js';
import { STAGES, type FailureCounts, type FirstInference, type LatencyStore, type LatencySummary, type Stage } from './latency-store.js';

/**
 * `get_metrics()` of the Python API: end-to-end `run()` latencies of the steady state (every activation's first
 * inference excluded), all times in seconds. With no steady-state inference yet, every field is 0.
 */
export interface PythonMetrics {
  /** inferences the figures rest on */
  num_of_inferences: number;
  /** shortest end-to-end latency, exact, seconds */
  min_latency: number;
  /** longest end-to-end latency, exact, seconds */
  max_latency: number;
  /** 25th percentile latency, seconds (nearest rank, see `PERCENTILE_METHOD`) */
  P25: number;
  /** median latency, seconds */
  P50: number;
  /** 75th percentile latency, seconds */
  P75: number;
  /** 90th percentile latency, seconds (needs 10 inferences to be more than the maximum) */
  P90: number;
  /** 99th percentile latency, seconds (needs 100 inferences to be more than the maximum) */
  P99: number;
  /** 99.9th percentile latency, seconds (needs 1000 inferences to be more than the maximum) */
  P999: number;
  /** sum of the individual inference latencies (not wall time), seconds */
  total_inference_time: number;
  /** mean latency, `total_inference_time / num_of_inferences`, seconds */
  avg_latency: number;
  /**
   * the same figures per graph, by graph name, for a session that serves several (`graph: 'auto'`); the fields above
   * are the total over every graph. Not in the Python API (a QAIC session runs one specialization per binding set).
   */
  graphs?: Record<string, PythonMetrics>;
}

/** Latencies per graph of a session that serves several (`graph: 'auto'`), by graph name; empty otherwise. */
export type GraphStores = ReadonlyMap<string, LatencyStore>;

/** `get_metrics()`: the end-to-end figures of `store`, and of each graph's store when there are several. */
export function sessionMetrics(store: LatencyStore, graphs?: GraphStores): PythonMetrics {
  const metrics = pythonMetrics(store.summary('e2e'));
  if (graphs !== undefined && graphs.size > 0) metrics.graphs = Object.fromEntries([...graphs].map(([name, s]) => [name, pythonMetrics(s.summary('e2e'))]));
  return metrics;
}

/** The Python dictionary from a summary. */
export function pythonMetrics(s: LatencySummary): PythonMetrics {
  return {
    num_of_inferences: s.count,
    min_latency: s.min,
    max_latency: s.max,
    P25: s.percentiles.P25.value,
    P50: s.percentiles.P50.value,
    P75: s.percentiles.P75.value,
    P90: s.percentiles.P90.value,
    P99: s.percentiles.P99.value,
    P999: s.percentiles.P999.value,
    total_inference_time: s.total,
    avg_latency: s.mean,
  };
}

/**
 * The lines `print_metrics()` prints, in the Python wording. Differences from the SDK's sample, on purpose: the P999
 * line is printed (the sample forgets it although `get_metrics()` has it), and the average line appears once (the
 * sample prints it twice).
 */
export function formatPythonMetrics(m: PythonMetrics): string[] {
  return [
    `Number of inferences utilized for calculation are ${m.num_of_inferences}`,
    `Minimum latency observed ${m.min_latency} s`,
    `Maximum latency observed ${m.max_latency} s`,
    `Average latency / inference time observed is ${m.avg_latency} s`,
    `P25 / 25% of inferences observed latency less than ${m.P25} s`,
    `P50 / 50% of inferences observed latency less than ${m.P50} s`,
    `P75 / 75% of inferences observed latency less than ${m.P75} s`,
    `P90 / 90% of inferences observed latency less than ${m.P90} s`,
    `P99 / 99% of inferences observed latency less than ${m.P99} s`,
    `P999 / 99.9% of inferences observed latency less than ${m.P999} s`,
    `Sum of all the inference times ${m.total_inference_time} s`,
  ];
}

/** One stage of the breakdown. */
export interface StageReport {
  /** all activations merged */
  all: LatencySummary;
  /** per activation index */
  activations: Record<number, LatencySummary>;
}

/** The rich form of the metrics (`getMetricsReport()`); every time in seconds. */
export interface MetricsReport {
  /** how percentiles are computed: {@link PERCENTILE_METHOD} */
  percentileMethod: string;
  /** stages with samples; see {@link Stage} for what each measures */
  stages: Partial<Record<Stage, StageReport>>;
  /** every activation's first inference, stage by stage, kept out of the stages above */
  firstInference: Record<number, FirstInference>;
  /** human-readable remarks: undersampled percentiles, unstable runs */
  warnings: string[];
  /**
   * `run()` inferences that failed after their inputs were accepted, by error code (a failure has no latency, so it
   * is in none of the stages; inputs refused by the checks are not counted: they never reached an activation)
   */
  failures: FailureCounts;
  /**
   * the same report per graph, for a session that serves several (`graph: 'auto'`), by graph name; the fields
   * above are the total over every graph (where each activation's first inference of each graph is kept apart, the
   * total's `firstInference` holds the last of them per activation)
   */
  graphs?: Record<string, MetricsReport>;
}

/**
 * Build the rich report from the store, with a report per graph (`graphs`) when the session serves several.
 *
 * @param graphs each graph's latencies (see {@link GraphStores})
 */
export function buildReport(store: LatencyStore, graphs?: GraphStores): MetricsReport {
  const stages: MetricsReport['stages'] = {};
  const warnings: string[] = [];
  for (const stage of STAGES) {
    const acts = store.activations(stage);
    if (acts.length === 0) continue;
    const activations: Record<number, LatencySummary> = {};
    for (const a of acts) activations[a] = store.activationSummary(stage, a);
    const all = store.summary(stage);
    stages[stage] = { all, activations };
    const flagged = Object.entries(all.percentiles).filter(([, f]) => f.undersampled).map(([k, f]) => `${k} (needs ${f.minSamples})`);
    if (flagged.length > 0) warnings.push(`${stage}: ${all.count} samples are too few for ${flagged.join(', ')}: those percentiles are the maximum or close to it`);
  }
  const firstInference: Record<number, FirstInference> = {};
  for (const [a, f] of store.firstInferences()) firstInference[a] = f;
  const failures = store.failures();
  if (failures.total > 0) {
    const codes = Object.entries(failures.byCode).map(([code, n]) => `${code} ${n}`).join(', ');
    warnings.push(`failures: ${failures.total} run() inference(s) failed (${codes}); the stages hold the successful ones only`);
  }
  const report: MetricsReport = { percentileMethod: PERCENTILE_METHOD, stages, firstInference, warnings, failures };
  if (graphs !== undefined && graphs.size > 0) report.graphs = Object.fromEntries([...graphs].map(([name, s]) => [name, buildReport(s)]));
  return report;
}

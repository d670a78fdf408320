/**
 * Where latencies live: one HDR histogram per (stage, activation), integer nanoseconds, merged on demand.
 *
 * Recording is O(1) and allocation-free (a histogram bucket increment plus an exact running sum), so it can sit on
 * the inference path. The first inference of every activation is kept out of the histograms (it pays one-off costs:
 * arena growth, lazy kernel setup) and stored apart as plain values.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import { QaicError } from '../errors.js';
import { PERCENTILES, PERCENTILE_METHOD, minSamplesFor, rankOf } from './percentiles.js';

/**
 * The stages recorded.
 * - `e2e`: `run()` called to `run()` resolved, on the caller's thread.
 * - `queue`: inputs validated to an activation taking the request (time waiting for a free `set_size` slot).
 * - `ort`: onnxruntime's `run()` inside the activation's worker.
 * - `benchmark`: one inference of `runBenchmark()`'s in-activation loop, issue to completion inside the worker.
 */
export type Stage = 'e2e' | 'queue' | 'ort' | 'benchmark';

/** Every stage, in report order. */
export const STAGES: readonly Stage[] = ['e2e', 'queue', 'ort', 'benchmark'];

/** Build the histogram shape used everywhere (3 significant digits, integer ns, grows as needed). */
export function newHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });
}

class Series {
  readonly histogram = newHistogram();
  sumNs = 0;
  sumSqNs = 0;
  startMs = 0;
  endMs = 0;
}

/** A percentile in a report: value in seconds, and how many samples it rests on. */
export interface PercentileFigure {
  /** seconds */
  value: number;
  /** samples at or below this percentile's rank (what the figure rests on) */
  rank: number;
  /** true when there are fewer than {@link minSamplesFor} samples: the value is the maximum or close to it */
  undersampled: boolean;
  /** samples needed for this percentile not to be flagged */
  minSamples: number;
}

/** Summary of one histogram, every time in seconds. */
export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** population standard deviation, exact (from the running sum of squares) */
  stdev: number;
  /** coefficient of variation, stdev / mean (0 when there are no samples) */
  cov: number;
  /** exact sum of the recorded latencies */
  total: number;
  percentiles: Record<'P25' | 'P50' | 'P75' | 'P90' | 'P99' | 'P999', PercentileFigure>;
  method: string;
}

const NS = 1e-9;

/**
 * Summarise a histogram whose exact sum and sum of squares are known (in ns and ns²). The sums are kept beside
 * the histogram because hdr-histogram-js computes the standard deviation by iterating every bucket through
 * iterator objects: 30 to 130 ms on a million samples, against a 5 ms budget for `getMetrics()`.
 */
export function summarise(h: Histogram, sumNs: number, sumSqNs: number): LatencySummary {
  const n = h.totalCount;
  const percentiles = {} as LatencySummary['percentiles'];
  for (const { key, p } of PERCENTILES) {
    percentiles[key] = {
      // HDR reports a bucket's highest equivalent value, which can exceed the exact maximum: clamp to it.
      value: n === 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.maxValue) * NS,
      rank: n === 0 ? 0 : rankOf(p, n),
      undersampled: n < minSamplesFor(p),
      minSamples: minSamplesFor(p),
    };
  }
  const mean = n === 0 ? 0 : sumNs / n;
  const stdev = n === 0 ? 0 : Math.sqrt(Math.max(0, sumSqNs / n - mean * mean));
  return {
    count: n,
    min: n === 0 ? 0 : h.minNonZeroValue * NS,
    max: n === 0 ? 0 : h.maxValue * NS,
    mean: mean * NS,
    stdev: stdev * NS,
    cov: mean === 0 ? 0 : stdev / mean,
    total: sumNs * NS,
    percentiles,
    method: PERCENTILE_METHOD,
  };
}

/** The first inference of one activation, stage by stage, in seconds (absent stages are missing). */
export type FirstInference = Partial<Record<Stage, number>>;

/**
 * Latency histograms per stage and activation.
 */
export class LatencyStore {
  #series = new Map<Stage, Map<number, Series>>();
  #first = new Map<number, FirstInference>();

  /**
   * Record one latency.
   *
   * @param stage which measurement
   * @param activation activation index
   * @param ns latency in nanoseconds (rounded to an integer; negative values are a clock bug and throw)
   * @param first true for an activation's first inference: kept apart from the histograms
   */
  record(stage: Stage, activation: number, ns: number, first = false): void {
    const value = Math.round(ns);
    if (!(value >= 0)) throw new QaicError('QAIC_INTERNAL', `latency for stage '${stage}' must be a non-negative number of nanoseconds, got ${ns}`);
    if (first) {
      let f = this.#first.get(activation);
      if (f === undefined) this.#first.set(activation, (f = {}));
      f[stage] = value * NS;
      return;
    }
    let byActivation = this.#series.get(stage);
    if (byActivation === undefined) this.#series.set(stage, (byActivation = new Map()));
    let s = byActivation.get(activation);
    if (s === undefined) {
      byActivation.set(activation, (s = new Series()));
      s.startMs = Date.now();
    }
    s.histogram.recordValue(value);
    s.sumNs += value;
    s.sumSqNs += value * value;
    s.endMs = Date.now();
  }

  /** Activation indices that recorded anything for `stage`, ascending. */
  activations(stage: Stage): number[] {
    return [...(this.#series.get(stage)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Steady-state samples recorded for `stage` across activations. */
  count(stage: Stage): number {
    let n = 0;
    for (const s of this.#series.get(stage)?.values() ?? []) n += s.histogram.totalCount;
    return n;
  }

  /** One activation's histogram for `stage` (undefined when it recorded nothing). Do not mutate it. */
  histogram(stage: Stage, activation: number): Histogram | undefined {
    return this.#series.get(stage)?.get(activation)?.histogram;
  }

  /** All activations of `stage` merged into a new histogram, plus the exact sum in ns. */
  merged(stage: Stage): { histogram: Histogram; sumNs: number; sumSqNs: number; startMs: number; endMs: number } {
    const histogram = newHistogram();
    let sumNs = 0;
    let sumSqNs = 0;
    let startMs = Infinity;
    let endMs = 0;
    for (const s of this.#series.get(stage)?.values() ?? []) {
      histogram.add(s.histogram);
      sumNs += s.sumNs;
      sumSqNs += s.sumSqNs;
      startMs = Math.min(startMs, s.startMs);
      endMs = Math.max(endMs, s.endMs);
    }
    return { histogram, sumNs, sumSqNs, startMs: startMs === Infinity ? 0 : startMs, endMs };
  }

  /** Summary of `stage` across activations. */
  summary(stage: Stage): LatencySummary {
    const m = this.merged(stage);
    return summarise(m.histogram, m.sumNs, m.sumSqNs);
  }

  /** Summary of `stage` for one activation. */
  activationSummary(stage: Stage, activation: number): LatencySummary {
    const s = this.#series.get(stage)?.get(activation);
    return s === undefined ? summarise(newHistogram(), 0, 0) : summarise(s.histogram, s.sumNs, s.sumSqNs);
  }

  /** Time range (epoch ms) of one series, for log export. */
  range(stage: Stage, activation: number): { startMs: number; endMs: number } | undefined {
    const s = this.#series.get(stage)?.get(activation);
    return s === undefined ? undefined : { startMs: s.startMs, endMs: s.endMs };
  }

  /** Each activation's first inference, stage by stage, in seconds. */
  firstInferences(): Map<number, FirstInference> {
    return new Map(this.#first);
  }

  /** Forget everything recorded. */
  clear(): void {
    this.#series.clear();
    this.#first.clear();
  }
}

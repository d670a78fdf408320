/**
 * Where latencies live: one HDR histogram per (stage, activation), integer nanoseconds, merged on demand.
 *
 * Recording is O(1) and allocation-free (a histogram bucket increment plus an exact running sum), so it can sit on
 * the inference path. The first inference of every activation is kept out of the histograms (it pays one-off costs:
 * arena growth, lazy kernel setup) and stored apart as plain values.
 */
import { build, type Histogram, type JsHistogram } from 'hdr-histogram-js';
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
  /** epoch ms of the first record (the HdrHistogram log's interval start) */
  startMs = Date.now();
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
  /** samples summarised (0 leaves every other figure 0) */
  count: number;
  /** smallest sample, exact, seconds */
  min: number;
  /** largest sample, exact, seconds */
  max: number;
  /** arithmetic mean, exact (from the running sum), seconds */
  mean: number;
  /** population standard deviation, exact (from the running sum of squares) */
  stdev: number;
  /** coefficient of variation, stdev / mean (0 when there are no samples) */
  cov: number;
  /** exact sum of the recorded latencies */
  total: number;
  /** the percentiles of {@link PERCENTILES}, keyed as in the Python `get_metrics()` dictionary */
  percentiles: Record<'P25' | 'P50' | 'P75' | 'P90' | 'P99' | 'P999', PercentileFigure>;
  /** how the percentiles were computed: {@link PERCENTILE_METHOD} */
  method: string;
}

const NS = 1e-9;

/**
 * Summarise a histogram whose exact sum and sum of squares are known (in ns and ns²). The sums are kept beside
 * the histogram because hdr-histogram-js computes the standard deviation by iterating every bucket through
 * iterator objects: 30 to 130 ms on a million samples, against a 5 ms budget for `getMetrics()`.
 */
export function summarise(h: Histogram, sumNs: number, sumSqNs: number): LatencySummary {
  return summaryOf(h.totalCount, h.minNonZeroValue, h.maxValue, sumNs, sumSqNs, (_k, p) => h.getValueAtPercentile(p));
}

/**
 * Summarise several histograms of the same layout (built by {@link newHistogram}) as if merged, without merging:
 * one pass over the bucket counts finds every percentile (HdrHistogram's rank and reported value). This is what
 * keeps `getMetrics()` within its 5 ms budget on a million samples even on its first call, when hdr-histogram-js's
 * own `add()` and `getValueAtPercentile()` are not yet optimised by the JIT.
 */
function summariseMany(parts: ReadonlyArray<{ histogram: Histogram; sumNs: number; sumSqNs: number }>): LatencySummary {
  const hs = parts.map((p) => p.histogram as unknown as JsHistogram);
  let n = 0;
  let sumNs = 0;
  let sumSqNs = 0;
  let min = Infinity;
  let max = 0;
  let length = 0;
  for (let k = 0; k < parts.length; k++) {
    const h = hs[k]!;
    if (h.totalCount === 0) continue;
    n += h.totalCount;
    sumNs += parts[k]!.sumNs;
    sumSqNs += parts[k]!.sumSqNs;
    min = Math.min(min, h.minNonZeroValue);
    max = Math.max(max, h.maxValue);
    length = Math.max(length, h.countsArrayLength);
  }
  const values = new Map<number, number>();
  if (n > 0) {
    // The typed count arrays themselves when hdr-histogram-js exposes them (its TypedArrayHistogram does, and its
    // getCountAtIndex is exactly `_counts[i]`): plain array reads stay fast before the JIT has warmed up.
    const exposed = hs.map((h) => (h as unknown as { _counts?: ArrayLike<number> })._counts);
    const direct = exposed.every((c) => c !== undefined);
    const counts = direct ? (exposed as ArrayLike<number>[]) : [];
    const wanted = PERCENTILES.map(({ p }) => rankOf(p, n));
    let next = 0;
    let cumulative = 0;
    for (let i = 0; i < length && next < wanted.length; i++) {
      if (direct) {
        for (let k = 0; k < counts.length; k++) {
          const c = counts[k]!;
          if (i < c.length) cumulative += c[i]!;
        }
      } else {
        for (const h of hs) if (i < h.countsArrayLength) cumulative += h.getCountAtIndex(i);
      }
      while (next < wanted.length && cumulative >= wanted[next]!) {
        values.set(next, hs[0]!.highestEquivalentValue(hs[0]!.valueFromIndex(i)));
        next++;
      }
    }
  }
  return summaryOf(n, min, max, sumNs, sumSqNs, (k) => values.get(k) ?? max);
}

/**
 * The summary both paths share: count, extremes (ns), exact sums (ns and ns²) and a lookup of the k-th of
 * {@link PERCENTILES} (ns). Percentiles are clamped to the exact maximum: HDR reports a bucket's highest equivalent
 * value, which can exceed it.
 */
function summaryOf(n: number, minNs: number, maxNs: number, sumNs: number, sumSqNs: number, percentileNs: (k: number, p: number) => number): LatencySummary {
  const percentiles = {} as LatencySummary['percentiles'];
  PERCENTILES.forEach(({ key, p }, k) => {
    percentiles[key] = {
      value: n === 0 ? 0 : Math.min(percentileNs(k, p), maxNs) * NS,
      rank: n === 0 ? 0 : rankOf(p, n),
      undersampled: n < minSamplesFor(p),
      minSamples: minSamplesFor(p),
    };
  });
  const mean = n === 0 ? 0 : sumNs / n;
  const stdev = n === 0 ? 0 : Math.sqrt(Math.max(0, sumSqNs / n - mean * mean));
  return {
    count: n,
    min: n === 0 ? 0 : minNs * NS,
    max: n === 0 ? 0 : maxNs * NS,
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

/** Inferences that failed after their inputs were accepted (see {@link LatencyStore.recordFailure}). */
export interface FailureCounts {
  /** failed inferences in all */
  total: number;
  /** failed inferences per `QaicError` code, codes in sorted order */
  byCode: Record<string, number>;
}

/**
 * Latency histograms per stage and activation, and the count of failed inferences.
 */
export class LatencyStore {
  // Plain arrays indexed by activation: record() sits on the inference path and must stay well under 1 µs.
  #series: Record<Stage, Array<Series | undefined>> = { e2e: [], queue: [], ort: [], benchmark: [] };
  #first = new Map<number, FirstInference>();
  /** failed inferences by error code (see {@link recordFailure}) */
  #failures = new Map<string, number>();

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
    const byActivation = this.#series[stage];
    let s = byActivation[activation];
    if (s === undefined) byActivation[activation] = s = new Series();
    s.histogram.recordValue(value);
    s.sumNs += value;
    s.sumSqNs += value * value;
  }

  /** Activation indices that recorded anything for `stage`, ascending. */
  activations(stage: Stage): number[] {
    const out: number[] = [];
    this.#series[stage].forEach((s, a) => {
      if (s !== undefined) out.push(a);
    });
    return out;
  }

  /** Steady-state samples recorded for `stage` across activations. */
  count(stage: Stage): number {
    let n = 0;
    for (const s of this.#series[stage]) if (s !== undefined) n += s.histogram.totalCount;
    return n;
  }

  /** One activation's histogram for `stage` (undefined when it recorded nothing). Do not mutate it. */
  histogram(stage: Stage, activation: number): Histogram | undefined {
    return this.#series[stage][activation]?.histogram;
  }

  /**
   * All activations of `stage` merged into a new histogram (the caller may mutate it), with the exact sums and the
   * earliest start.
   */
  merged(stage: Stage): {
    /** every activation's samples for `stage`, in integer ns */
    histogram: Histogram;
    /** exact sum of the samples, ns */
    sumNs: number;
    /** exact sum of the squared samples, ns² (for the standard deviation) */
    sumSqNs: number;
    /** epoch ms of the earliest first record among the activations (0 when none recorded) */
    startMs: number;
  } {
    const histogram = newHistogram();
    let sumNs = 0;
    let sumSqNs = 0;
    let startMs = Infinity;
    for (const s of this.#series[stage]) {
      if (s === undefined) continue;
      histogram.add(s.histogram);
      sumNs += s.sumNs;
      sumSqNs += s.sumSqNs;
      startMs = Math.min(startMs, s.startMs);
    }
    return { histogram, sumNs, sumSqNs, startMs: startMs === Infinity ? 0 : startMs };
  }

  /** Summary of `stage` across activations. */
  summary(stage: Stage): LatencySummary {
    return summariseMany(this.#series[stage].filter((x): x is Series => x !== undefined));
  }

  /** Summary of `stage` for one activation. */
  activationSummary(stage: Stage, activation: number): LatencySummary {
    const s = this.#series[stage][activation];
    return s === undefined ? summarise(newHistogram(), 0, 0) : summarise(s.histogram, s.sumNs, s.sumSqNs);
  }

  /**
   * Time range (epoch ms) of one series, for log export: from its first record to now (the end of each record is
   * not stamped: a clock read would double the cost of record()).
   */
  range(stage: Stage, activation: number): {
    /** epoch ms of the series' first record */
    startMs: number;
    /** epoch ms now (`Date.now()` at the call) */
    endMs: number;
  } | undefined {
    const s = this.#series[stage][activation];
    return s === undefined ? undefined : { startMs: s.startMs, endMs: Date.now() };
  }

  /**
   * Count one inference that failed after its inputs were accepted (onnxruntime refused it, it timed out, was
   * aborted, or its activation died), by its `QaicError` code. Failures have no latency: they stay out of every
   * histogram, so a run that fails fast cannot make the percentiles look better.
   *
   * @param code the error's stable code (`'QAIC_TIMEOUT'`, ...); `'QAIC_INTERNAL'` for an error without one
   */
  recordFailure(code: string): void {
    this.#failures.set(code, (this.#failures.get(code) ?? 0) + 1);
  }

  /** The failed inferences recorded by {@link recordFailure}: how many, and how many per error code (codes sorted). */
  failures(): FailureCounts {
    const byCode: Record<string, number> = {};
    let total = 0;
    for (const code of [...this.#failures.keys()].sort()) {
      const n = this.#failures.get(code)!;
      byCode[code] = n;
      total += n;
    }
    return { total, byCode };
  }

  /** Each activation's first inference, stage by stage, in seconds. */
  firstInferences(): Map<number, FirstInference> {
    return new Map(this.#first);
  }

  /** Forget everything recorded. */
  clear(): void {
    for (const stage of STAGES) this.#series[stage] = [];
    this.#first.clear();
    this.#failures.clear();
  }
}

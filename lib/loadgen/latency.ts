/**
 * LoadGen's latency figures: min, max, mean and the percentiles 50/90/95/97/99/99.9 as `sorted[floor(n·p)]`
 * (LoadGen `results.cc`: nearest rank, no interpolation), in integer nanoseconds.
 *
 * This is deliberately not the library's HDR percentile (`metrics/percentiles.ts`): LoadGen results must be
 * computed the way LoadGen computes them, from the exact samples, so that they compare with published results.
 */

/** The percentiles LoadGen reports, as fractions, with the key each is reported under. */
export const LOADGEN_PERCENTILES: ReadonlyArray<{
  /** key in {@link LoadgenLatency} */
  key: 'p50' | 'p90' | 'p95' | 'p97' | 'p99' | 'p999';
  /** the fraction p in `sorted[floor(n·p)]` */
  p: number;
}> = [
  { key: 'p50', p: 0.5 },
  { key: 'p90', p: 0.9 },
  { key: 'p95', p: 0.95 },
  { key: 'p97', p: 0.97 },
  { key: 'p99', p: 0.99 },
  { key: 'p999', p: 0.999 },
];

/** Name of the method, as written into results. */
export const LOADGEN_PERCENTILE_METHOD = 'loadgen: sorted[floor(n*p)] of the exact samples (nearest rank, no interpolation)';

/** Latency figures in integer nanoseconds (0 everywhere when there were no samples). */
export interface LoadgenLatency {
  /** samples the figures rest on */
  count: number;
  /** fastest */
  min: number;
  /** slowest */
  max: number;
  /** arithmetic mean, rounded to the ns */
  mean: number;
  /** median, `sorted[floor(0.5·n)]` */
  p50: number;
  /** `sorted[floor(0.9·n)]` */
  p90: number;
  /** `sorted[floor(0.95·n)]` */
  p95: number;
  /** `sorted[floor(0.97·n)]` */
  p97: number;
  /** `sorted[floor(0.99·n)]` */
  p99: number;
  /** `sorted[floor(0.999·n)]` */
  p999: number;
  /** {@link LOADGEN_PERCENTILE_METHOD} */
  method: string;
}

/** LoadGen's percentile of ascending `sorted`: `sorted[min(n - 1, floor(n·p))]`; `p` a fraction (0.99). NaN when empty. */
export function loadgenPercentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.floor(n * p))]!;
}

/** Sort a copy ascending (numbers, not strings). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The LoadGen latency figures of `values` (ns, any order). */
export function loadgenLatency(values: ArrayLike<number>): LoadgenLatency {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const at = (p: number): number => (n === 0 ? 0 : loadgenPercentile(sorted, p));
  const out = { count: n, min: n === 0 ? 0 : sorted[0]!, max: n === 0 ? 0 : sorted[n - 1]!, mean: n === 0 ? 0 : Math.round(sum / n), method: LOADGEN_PERCENTILE_METHOD } as LoadgenLatency;
  for (const { key, p } of LOADGEN_PERCENTILES) out[key] = at(p);
  return out;
}

/**
 * The one percentile definition the library uses, and the sample-size rule that says when a percentile means
 * something.
 *
 * Definition (HdrHistogram's, named {@link PERCENTILE_METHOD}): the value at percentile p of n samples is the
 * sample of rank `max(1, ceil(p/100 × n))` in ascending order (the classic nearest-rank definition), reported as
 * the highest value that is equivalent to it at 3 significant digits. The reported value is therefore at most
 * 1/1024 (about 0.1 %) above the exact nearest-rank sample, and never above the exact maximum (clamped). Minimum and
 * maximum are exact.
 */

/** Name of the percentile method, as written into reports and exports. */
export const PERCENTILE_METHOD = 'hdr-nearest-rank: rank max(1, ceil(p/100*n)), 3 significant digits (at most 1/1024 above the exact sample), clamped to the exact max';

/** The percentiles every report carries, with the Python key for each. */
export const PERCENTILES: ReadonlyArray<{
  /** key in the Python `get_metrics()` dictionary and in `LatencySummary.percentiles` */
  key: 'P25' | 'P50' | 'P75' | 'P90' | 'P99' | 'P999';
  /** the percentile, 0..100 (99.9 for P999) */
  p: number;
}> = [
  { key: 'P25', p: 25 },
  { key: 'P50', p: 50 },
  { key: 'P75', p: 75 },
  { key: 'P90', p: 90 },
  { key: 'P99', p: 99 },
  { key: 'P999', p: 99.9 },
];

/**
 * Fewest samples for percentile `p` (0..100) to be more than the maximum in disguise: `ceil(1 / (1 - p/100))`
 * (P90 needs 10, P99 100, P99.9 1000). Below it a percentile is flagged `undersampled`.
 */
export function minSamplesFor(p: number): number {
  if (p >= 100) return Infinity;
  return Math.ceil(1 / (1 - p / 100) - 1e-9);
}

/** The exact nearest-rank percentile of an ascending-sorted array (the reference the histogram approximates). */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[rankOf(p, n) - 1]!;
}

/** The 1-based rank percentile `p` (0..100) falls on among `n` samples: `max(1, ceil(p/100 × n))`, capped at n. */
export function rankOf(p: number, n: number): number {
  const x = (p / 100) * n;
  // as HdrHistogram: forgive the last-ulp error of the product (99.9/100*1000 is 999.0000000000001)
  return Math.min(n, Math.max(1, Math.ceil(x - x * Number.EPSILON * 2)));
}

/**
 * Summary statistics for benchmark samples. Percentiles use linear interpolation between closest ranks
 * (NumPy's default, "type 7"), so figures compare with Python tooling.
 */

/** Median and spread of a sample set (same unit as the samples). */
export interface Spread {
  n: number;
  median: number;
  p10: number;
  p90: number;
  p25: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
}

/** Percentile `p` (0..1) of already sorted values, linearly interpolated. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Median, p10/p90, IQR, p99 and extremes of `values`. */
export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    median: percentileSorted(s, 0.5),
    p10: percentileSorted(s, 0.1),
    p90: percentileSorted(s, 0.9),
    p25: percentileSorted(s, 0.25),
    p75: percentileSorted(s, 0.75),
    p99: percentileSorted(s, 0.99),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** `a / b`, rounded for printing. */
export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 1000) / 1000;
}

/** Rotate `items` by `round` so that no variant always runs first (interleaving). */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Deterministic pseudo-random float32 data in [0, 1) (an LCG), so every run feeds the same values. */
export function lcgFloat32(length: number, seed = 12345): Float32Array {
  const out = new Float32Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 4294967296;
  }
  return out;
}

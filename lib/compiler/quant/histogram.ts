/**
 * A tensor's value statistics as calibration gathers them: exact min and max, and a histogram of a fixed number of
 * bins over a range that widens as batches arrive.
 *
 * Widening re-bins the old counts onto the new range by overlap (each old bin's count is spread over the new bins it
 * covers, in proportion), as Glow's profiler merges histograms. That keeps one pass over the calibration inputs, which
 * may be a one-shot async iterable, at the price of spreading each old bin's counts uniformly inside it.
 */
import { QaicError } from '../../errors.js';

/** A histogram over [lo, hi] with `counts.length` equal bins, plus the exact extremes of the values seen. */
export interface TensorHistogram {
  /** smallest value seen */
  min: number;
  /** largest value seen */
  max: number;
  /** the histogram's lower end; lo <= min */
  lo: number;
  /** the histogram's upper end; hi >= max */
  hi: number;
  /** counts per bin (float: re-binning spreads counts) */
  counts: Float64Array;
  /** values seen, NaN excluded */
  total: number;
  /** NaN values seen (never binned) */
  nans: number;
  /** infinite values seen (clamped into the edge bins: a range cannot hold them) */
  infinities: number;
}

/** An empty histogram of `bins` bins. @throws QaicError `QAIC_INVALID_ARGUMENT` for bins < 2 or not an integer. */
export function emptyHistogram(bins: number): TensorHistogram {
  if (!Number.isInteger(bins) || bins < 2 || bins > 1 << 20) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `a histogram needs an integer number of bins in [2, ${1 << 20}], got ${bins}`, { details: { bins } });
  }
  return { min: Infinity, max: -Infinity, lo: 0, hi: 0, counts: new Float64Array(bins), total: 0, nans: 0, infinities: 0 };
}

/** The bin of `x` in [lo, hi] with `n` bins (the last bin is closed). */
function binOf(x: number, lo: number, hi: number, n: number): number {
  if (hi === lo) return 0;
  const b = Math.floor(((x - lo) / (hi - lo)) * n);
  return b < 0 ? 0 : b >= n ? n - 1 : b;
}

/** Spread `counts` over [lo, hi] onto a new, wider range [nlo, nhi] with the same bin count, by overlap. */
function rebin(counts: Float64Array, lo: number, hi: number, nlo: number, nhi: number): Float64Array {
  const n = counts.length;
  const out = new Float64Array(n);
  if (hi === lo) {
    // every value so far was the same number
    let c = 0;
    for (let i = 0; i < n; i++) c += counts[i]!;
    out[binOf(lo, nlo, nhi, n)] = c;
    return out;
  }
  const w = (hi - lo) / n;
  const nw = (nhi - nlo) / n;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    const a = lo + i * w;
    const b = a + w;
    let j = Math.max(0, Math.floor((a - nlo) / nw));
    for (; j < n; j++) {
      const ja = nlo + j * nw;
      const jb = ja + nw;
      if (ja >= b) break;
      const overlap = Math.min(b, jb) - Math.max(a, ja);
      if (overlap > 0) out[j]! += (c * overlap) / w;
    }
  }
  return out;
}

/** Add a batch of values to `h` (in place), widening its range when they fall outside it. */
export function addValues(h: TensorHistogram, values: ArrayLike<number>): void {
  let bmin = Infinity;
  let bmax = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    if (v === Infinity || v === -Infinity) continue;
    if (v < bmin) bmin = v;
    if (v > bmax) bmax = v;
  }
  if (bmin <= bmax) {
    if (h.total === 0 || h.min === Infinity) {
      h.lo = bmin;
      h.hi = bmax;
    } else if (bmin < h.lo || bmax > h.hi) {
      const nlo = Math.min(h.lo, bmin);
      const nhi = Math.max(h.hi, bmax);
      h.counts = rebin(h.counts, h.lo, h.hi, nlo, nhi);
      h.lo = nlo;
      h.hi = nhi;
    }
    if (bmin < h.min) h.min = bmin;
    if (bmax > h.max) h.max = bmax;
  }
  const n = h.counts.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) {
      h.nans++;
      continue;
    }
    if (v === Infinity || v === -Infinity) {
      h.infinities++;
      if (h.total === 0 && h.min === Infinity) continue; // no range yet to clamp into
      h.counts[v > 0 ? n - 1 : 0]! += 1;
      h.total++;
      continue;
    }
    h.counts[binOf(v, h.lo, h.hi, n)]! += 1;
    h.total++;
  }
}

/** Merge `b` into a copy of `a` (both with the same bin count): the histograms of two shards of the inputs. */
export function mergeHistograms(a: TensorHistogram, b: TensorHistogram): TensorHistogram {
  if (a.counts.length !== b.counts.length) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot merge histograms of ${a.counts.length} and ${b.counts.length} bins`);
  }
  if (a.total === 0) return { ...b, counts: b.counts.slice() };
  if (b.total === 0) return { ...a, counts: a.counts.slice() };
  const lo = Math.min(a.lo, b.lo);
  const hi = Math.max(a.hi, b.hi);
  const ca = rebin(a.counts, a.lo, a.hi, lo, hi);
  const cb = rebin(b.counts, b.lo, b.hi, lo, hi);
  for (let i = 0; i < ca.length; i++) ca[i]! += cb[i]!;
  return {
    min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), lo, hi, counts: ca,
    total: a.total + b.total, nans: a.nans + b.nans, infinities: a.infinities + b.infinities,
  };
}

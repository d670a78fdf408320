/**
 * Calibration: the range [min, max] each tensor is quantized over, chosen from its histogram by the SDK's
 * `quantization_calibration` methods.
 *
 * - `None` (the SDK's default): MinMax, the exact extremes seen.
 * - `Percentile`: each tail loses (100 - p) / 2 percent of the values, p = `percentile_calibration_value` in
 *   [90, 100] (100 = MinMax). The cut falls inside a bin by linear interpolation of that bin's counts.
 * - `KLMinimization`: Glow's entropy calibration, which the SDK's flag names follow: windows of the histogram shrink
 *   one bin at a time from the side (or both sides) that loses the least mass; each window P, with the mass outside
 *   folded into its edge bins, is compared with its quantization Q onto 255 levels, and the window of least
 *   KL(P || Q) wins.
 * - `KLMinimizationV2`: the TensorRT-style entropy method (onnxruntime's Entropy calibrator): windows symmetric
 *   around the bin holding 0 grow from 128 bins outwards, Q merges the window into 128 bins and spreads each merged
 *   count over the originally non-zero bins, both smoothed with epsilon 1e-4.
 * - `MSE`: the clip range whose expected squared error (uniform quantization noise scale^2 / 12 inside the range,
 *   the squared distance to the edge outside it) is least, searched over ranges [a * lo, a * hi], a from 1 down to
 *   0.05 in 200 steps.
 * - `SQNR`: signal-to-quantization-noise ratio. For one tensor the signal power is fixed, so the range of greatest
 *   SQNR is the range of least MSE; it is computed by the same search and reported as its own method.
 *
 * Every method returns a range inside [min, max] (the exact extremes), as onnxruntime's calibrators clamp theirs.
 */
import { QaicError } from '../../errors.js';
import type { TensorHistogram } from './histogram.js';

/** The SDK's calibration methods (`quantization_calibration`). */
export const CALIBRATION_METHODS = ['None', 'Percentile', 'KLMinimization', 'KLMinimizationV2', 'MSE', 'SQNR'] as const;

/** One of {@link CALIBRATION_METHODS}. */
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** A chosen real range. */
export interface CalibratedRange {
  min: number;
  max: number;
}

/** The method's settings. */
export interface RangeSettings {
  /** `percentile_calibration_value`, in [90, 100]; default 100 */
  percentile?: number;
}

/** Bin i's lower edge. */
function edge(h: TensorHistogram, i: number): number {
  return h.lo + ((h.hi - h.lo) * i) / h.counts.length;
}

function clampRange(h: TensorHistogram, min: number, max: number): CalibratedRange {
  return { min: Math.max(h.min, Math.min(min, h.max)), max: Math.min(h.max, Math.max(max, h.min)) };
}

/** The value below which `fraction` of the histogram's mass lies (linear inside a bin). */
export function quantileOf(h: TensorHistogram, fraction: number): number {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return h.lo;
  const target = fraction * total;
  let acc = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (acc + c >= target && c > 0) {
      const within = (target - acc) / c;
      return edge(h, i) + within * (edge(h, i + 1) - edge(h, i));
    }
    acc += c;
  }
  return h.hi;
}

function percentileRange(h: TensorHistogram, p: number): CalibratedRange {
  if (!(p >= 90 && p <= 100)) {
    throw new QaicError('QAIC_INVALID_OPTION', `option 'percentile_calibration_value': expected a number in [90, 100], got ${p}`, { details: { option: 'percentile_calibration_value', given: p } });
  }
  if (p === 100) return { min: h.min, max: h.max };
  const tail = (100 - p) / 200;
  return clampRange(h, quantileOf(h, tail), quantileOf(h, 1 - tail));
}

/** KL(P || Q) over bins, both normalised; bins where P is 0 add nothing. Q must be > 0 where P is (smoothed). */
function kl(p: Float64Array, q: Float64Array): number {
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < p.length; i++) {
    ps += p[i]!;
    qs += q[i]!;
  }
  if (ps === 0 || qs === 0) return Infinity;
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / ps;
    if (a === 0) continue;
    const b = q[i]! / qs;
    if (b === 0) return Infinity;
    d += a * Math.log(a / b);
  }
  return d;
}

/** Quantize window counts onto `levels` merged bins, then spread each merged count over its non-zero bins. */
function quantizeWindow(p: Float64Array, levels: number): Float64Array {
  const n = p.length;
  const q = new Float64Array(n);
  for (let l = 0; l < levels; l++) {
    const a = Math.floor((l * n) / levels);
    const b = l === levels - 1 ? n : Math.floor(((l + 1) * n) / levels);
    let sum = 0;
    let nonZero = 0;
    for (let i = a; i < b; i++) {
      sum += p[i]!;
      if (p[i]! !== 0) nonZero++;
    }
    if (nonZero === 0) continue;
    for (let i = a; i < b; i++) if (p[i]! !== 0) q[i] = sum / nonZero;
  }
  return q;
}

/** Smooth: move epsilon of mass into each zero bin, taken evenly from the non-zero ones (TensorRT's smoothing). */
function smooth(p: Float64Array, eps = 1e-4): Float64Array | undefined {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonZero = p.length - zeros;
  if (nonZero === 0) return undefined;
  const take = (eps * zeros) / nonZero;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i]! === 0 ? eps : p[i]! - take;
  for (const v of out) if (v <= 0) return undefined;
  return out;
}

/** The window [a, b) of counts with the mass outside it folded into its edge bins. */
function foldedWindow(counts: Float64Array, a: number, b: number): Float64Array {
  const p = counts.slice(a, b);
  let left = 0;
  for (let i = 0; i < a; i++) left += counts[i]!;
  let right = 0;
  for (let i = b; i < counts.length; i++) right += counts[i]!;
  p[0]! += left;
  p[p.length - 1]! += right;
  return p;
}

function klGlowRange(h: TensorHistogram): CalibratedRange {
  const n = h.counts.length;
  const levels = 255;
  if (n <= levels) return { min: h.min, max: h.max };
  let a = 0;
  let b = n;
  let best = { a, b, d: Infinity };
  while (b - a > levels) {
    const p = foldedWindow(h.counts, a, b);
    const d = kl(p, quantizeWindow(p, levels));
    if (d < best.d) best = { a, b, d };
    // shrink from the side whose edge bin holds less mass (both when equal)
    const l = h.counts[a]!;
    const r = h.counts[b - 1]!;
    if (l < r) a++;
    else if (r < l) b--;
    else if (b - a - 2 >= levels) {
      a++;
      b--;
    } else b--;
  }
  return clampRange(h, edge(h, best.a), edge(h, best.b));
}

function klTensorRtRange(h: TensorHistogram): CalibratedRange {
  const n = h.counts.length;
  const levels = 128;
  const zero = h.hi === h.lo ? 0 : Math.min(n - 1, Math.max(0, Math.floor((-h.lo / (h.hi - h.lo)) * n)));
  const maxHalf = Math.max(zero, n - 1 - zero);
  let best = { a: 0, b: n, d: Infinity };
  for (let half = Math.min(levels / 2, maxHalf); half <= maxHalf; half++) {
    const a = Math.max(0, zero - half);
    const b = Math.min(n, zero + half + 1);
    if (b - a < 2) continue;
    const p = foldedWindow(h.counts, a, b);
    const ps = smooth(p);
    const qs = smooth(quantizeWindow(h.counts.slice(a, b), Math.min(levels, b - a)));
    if (ps === undefined || qs === undefined) continue;
    const d = kl(ps, qs);
    if (d < best.d) best = { a, b, d };
  }
  return clampRange(h, edge(h, best.a), edge(h, best.b));
}

/** Expected squared error of quantizing the histogram over [lo, hi] with 255 steps (bin centres as the values). */
export function expectedSquaredError(h: TensorHistogram, lo: number, hi: number): number {
  const step = (hi - lo) / 255;
  const noise = (step * step) / 12;
  let err = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    const x = (edge(h, i) + edge(h, i + 1)) / 2;
    if (x < lo) err += c * (lo - x) * (lo - x);
    else if (x > hi) err += c * (x - hi) * (x - hi);
    else err += c * noise;
  }
  return err;
}

function mseRange(h: TensorHistogram): CalibratedRange {
  const lo = Math.min(h.min, 0);
  const hi = Math.max(h.max, 0);
  let best = { a: 1, e: Infinity };
  for (let k = 0; k < 200; k++) {
    const a = 1 - (k * 0.95) / 199;
    const e = expectedSquaredError(h, a * lo, a * hi);
    if (e < best.e) best = { a, e };
  }
  return clampRange(h, best.a * lo, best.a * hi);
}

/**
 * The range `method` chooses from histogram `h`.
 * @throws QaicError `QAIC_INVALID_OPTION` for an unknown method or a percentile outside [90, 100];
 *   `QAIC_INVALID_ARGUMENT` for a histogram that saw no finite value.
 */
export function calibratedRange(h: TensorHistogram, method: CalibrationMethod, settings: RangeSettings = {}): CalibratedRange {
  if (!(h.min <= h.max)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'cannot calibrate a tensor that saw no finite value (all NaN, or no calibration input reached it)');
  }
  if (h.min === h.max) return { min: h.min, max: h.max };
  switch (method) {
    case 'None':
      return { min: h.min, max: h.max };
    case 'Percentile':
      return percentileRange(h, settings.percentile ?? 100);
    case 'KLMinimization':
      return klGlowRange(h);
    case 'KLMinimizationV2':
      return klTensorRtRange(h);
    case 'MSE':
    case 'SQNR':
      return mseRange(h);
    default:
      throw new QaicError('QAIC_INVALID_OPTION', `option 'quantization_calibration': expected one of ${CALIBRATION_METHODS.join(', ')}, got '${String(method)}'`, {
        details: { option: 'quantization_calibration', given: method },
      });
  }
}

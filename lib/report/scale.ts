/**
 * Scales and tick positions for the charts: linear axes with "nice" 1-2-5 steps, and the percentile axis that
 * HdrHistogram plots use, where x = log10(1 / (1 - p)) so that 0 %, 90 %, 99 %, 99.9 % ... are evenly spaced.
 */
import { QaicError } from '../errors.js';
import { formatNumber, formatPercentile } from './format.js';

/** A tick: its value in data units, and its label. */
export interface Tick {
  /** where the tick sits, in data units (for percentile axes: the position `percentilePosition()` gives) */
  value: number;
  /** the text drawn at the tick, formatted without locale (e.g. `0.5`, `99.9%`) */
  label: string;
}

/** A linear mapping from a data domain to a pixel range. */
export type Scale = (value: number) => number;

/**
 * Map `[d0, d1]` linearly onto `[r0, r1]`. A zero-width domain maps everything to the middle of the range.
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** Result of {@link niceTicks}: a domain widened to whole steps, and the ticks inside it. */
export interface NiceAxis {
  /** start of the axis: the data minimum rounded down to a whole step */
  min: number;
  /** end of the axis: the data maximum rounded up to a whole step */
  max: number;
  /** distance between ticks: 1, 2 or 5 × 10^k */
  step: number;
  /** one tick per step from `min` to `max` */
  ticks: Tick[];
}

/**
 * Ticks at a 1, 2 or 5 × 10^k step, about `count` of them, covering `[min, max]`.
 *
 * @param min smallest data value
 * @param max largest data value (when equal to `min`, the axis is widened so it still has extent)
 * @param count wanted number of intervals, default 5
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when `min` or `max` is not finite or `min > max`
 */
export function niceTicks(min: number, max: number, count = 5): NiceAxis {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `axis range must be finite with min <= max; got [${min}, ${max}]`, {
      details: { min, max },
    });
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
    min = min >= 0 && min - pad < 0 ? 0 : min - pad;
    max = max + pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: Tick[] = [];
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) {
    // Multiply instead of accumulating so that 0.1 + 0.2 style drift never reaches a label.
    const value = Number((lo + i * step).toPrecision(12));
    ticks.push({ value, label: formatNumber(value, 6) });
  }
  return { min: lo, max: hi, step, ticks };
}

/**
 * Position of a percentile on the HdrHistogram percentile axis: `log10(1 / (1 - p/100))`.
 * 0 % → 0, 90 % → 1, 99 % → 2, 99.9 % → 3.
 *
 * @param percentile in [0, 100); 100 (the maximum) has no finite position, callers place it at the axis end
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for values outside [0, 100) or not finite
 */
export function percentilePosition(percentile: number): number {
  if (!Number.isFinite(percentile) || percentile < 0 || percentile >= 100) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `percentile must be in [0, 100); got ${percentile}`, {
      details: { percentile },
    });
  }
  return Math.log10(100 / (100 - percentile));
}

/**
 * The ticks of a percentile axis with `decades` decades: `0%, 90%, 99%, ...` at positions 0, 1, 2, ...
 *
 * @param decades number of nines shown, at least 1 (e.g. 3 → up to 99.9 %)
 */
export function percentileTicks(decades: number): Tick[] {
  const ticks: Tick[] = [];
  for (let k = 0; k <= Math.max(1, Math.ceil(decades)); k++) {
    ticks.push({ value: k, label: formatPercentile(100 - 100 / 10 ** k) });
  }
  return ticks;
}

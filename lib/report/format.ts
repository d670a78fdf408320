/**
 * Number formatting for axis ticks, labels and tables: short, deterministic (no locale), and free of binary
 * floating-point noise such as `0.30000000000000004`.
 */

/**
 * Format a number with at most `digits` significant digits, without exponent for everyday magnitudes and without
 * trailing zeros (`1.50` → `1.5`, `2000` → `2000`, `0.000012` → `1.2e-5`).
 *
 * @param value the number; `NaN` and infinities are written as `NaN`, `∞`, `-∞`
 * @param digits significant digits, default 3
 */
export function formatNumber(value: number, digits = 3): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e15) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)));
    const fixed = value.toFixed(Math.min(decimals, 20));
    return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  }
  return value.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/** Round an SVG coordinate to 2 decimals, so output is compact and identical across runs. */
export function coord(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/**
 * Format a percentile as HdrHistogram plots label it: `0%`, `90%`, `99%`, `99.9%`, `99.99%`.
 *
 * @param percentile in [0, 100]
 */
export function formatPercentile(percentile: number): string {
  // Enough decimals to tell 99.99 from 99.999, and no float noise.
  const text = percentile.toFixed(6).replace(/\.?0+$/, '');
  return `${text}%`;
}

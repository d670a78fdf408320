/**
 * Chart inputs from HdrHistograms, the form in which the metrics keep latencies (`session.exportMetrics()` holds
 * them compressed, tagged `<stage>.act<activation>`, values in ns). Used when no per-inference timeline exists, as
 * for `runBenchmark()`, whose loop runs inside the activations.
 */
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { QaicError } from '../errors.js';
import { newHistogram } from '../metrics/latency-store.js';
import type { HistogramSeries } from './histogram-chart.js';
import type { PercentilePoint, PercentileSeries } from './percentile-chart.js';

/** The part of an HdrHistogram this module reads. */
export interface HdrLike {
  /** values recorded */
  readonly totalCount: number;
  /** largest value recorded (exact, not a bucket bound) */
  readonly maxValue: number;
  /** the value at `percentile` in [0, 100] (HdrHistogram returns the highest value equivalent to its bucket) */
  getValueAtPercentile(percentile: number): number;
}

/**
 * Percentile points of a histogram, `perDecade` per nine up to the resolution its count allows, then the maximum.
 *
 * @param scale factor applied to values (1e-6 turns ns into ms)
 */
export function hdrPercentilePoints(h: HdrLike, scale = 1, perDecade = 20): PercentilePoint[] {
  const n = h.totalCount;
  const points: PercentilePoint[] = [];
  const steps = Math.floor(Math.log10(Math.max(1, n)) * perDecade);
  for (let k = 0; k <= steps; k++) {
    const percentile = 100 - 100 / 10 ** (k / perDecade);
    // HDR reports a bucket's highest equivalent value, which can exceed the exact maximum: clamp to it.
    points.push({ percentile, value: Math.min(h.getValueAtPercentile(percentile), h.maxValue) * scale });
  }
  points.push({ percentile: 100, value: h.maxValue * scale });
  return points;
}

/**
 * Evenly spaced quantiles of a histogram, as samples that each stand for `count / m` inferences: binning them
 * reproduces the distribution at a resolution of 1/m.
 */
export function hdrQuantileSamples(h: HdrLike, scale = 1, m = 1000): {
  /** `min(m, totalCount)` values at the mid-points of equal quantile steps, times `scale`, capped at the maximum */
  samples: Float64Array;
  /** recorded values each sample stands for (`totalCount / samples.length`); pass it as `HistogramSeries.weight` */
  weight: number;
} {
  const k = Math.max(1, Math.min(m, h.totalCount));
  const samples = new Float64Array(k);
  for (let i = 0; i < k; i++) samples[i] = Math.min(h.getValueAtPercentile(((i + 0.5) / k) * 100), h.maxValue) * scale;
  return { samples, weight: h.totalCount / k };
}

/** Percentile curves and histogram series of one stage. */
export interface StageSeries {
  /** `all activations` merged (when there are several), then one curve per activation, in ms */
  percentiles: PercentileSeries[];
  /** one weighted series per activation, in ms */
  histograms: HistogramSeries[];
}

/**
 * Series of one stage from compressed histograms (`exportMetrics().histograms`), in milliseconds: a curve per
 * activation plus all activations merged, and one histogram per activation.
 *
 * @param histograms `{'<stage>.act<n>': base64}` as the metrics export writes it
 * @param stage e.g. `benchmark` or `e2e`
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when the stage has no histogram with samples (the message lists the
 *   tags present)
 */
export function stageSeries(histograms: Readonly<Record<string, string>>, stage: string): StageSeries {
  const tagged = Object.entries(histograms)
    .map(([tag, data]) => ({ tag, m: /^(.+)\.act(\d+)$/.exec(tag), data }))
    .filter((e) => e.m !== null && e.m[1] === stage)
    .map((e) => ({ activation: Number(e.m![2]), h: decodeFromCompressedBase64(e.data) }))
    .filter((e) => e.h.totalCount > 0)
    .sort((a, b) => a.activation - b.activation);
  if (tagged.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT',
      `no '${stage}' latency histogram with samples; histograms present: ${Object.keys(histograms).join(', ') || 'none'}`,
      { details: { stage } });
  }
  const NS_TO_MS = 1e-6;
  const percentiles: PercentileSeries[] = [];
  if (tagged.length > 1) {
    // A decoded histogram is sized to its own values and refuses larger ones: merge into one that grows.
    const merged = newHistogram();
    for (const t of tagged) merged.add(t.h);
    percentiles.push({ label: 'all activations', points: hdrPercentilePoints(merged, NS_TO_MS) });
    merged.destroy();
  }
  for (const t of tagged) percentiles.push({ label: `activation ${t.activation}`, points: hdrPercentilePoints(t.h, NS_TO_MS) });
  const histogramSeries = tagged.map((t) => ({ label: `activation ${t.activation}`, ...hdrQuantileSamples(t.h, NS_TO_MS) }));
  for (const t of tagged) t.h.destroy();
  return { percentiles, histograms: histogramSeries };
}

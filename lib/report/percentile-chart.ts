/**
 * The latency percentile curve, drawn as HdrHistogram plots are read: x is the percentile on a log scale of
 * 1/(1-p) (0 %, 90 %, 99 %, 99.9 % ... evenly spaced), y is the latency. The tail is where benchmarks differ,
 * and this axis gives each extra nine the same room as the first 90 %.
 */
import { QaicError } from '../errors.js';
import { nearestRank } from '../metrics/percentiles.js';
import { hdrPercentilePoints } from './hdr-source.js';
import { coord } from './format.js';
import { DEFAULT_MARGINS, axes, frame, legend, scales } from './frame.js';
import { seriesColor } from './palette.js';
import { niceTicks, percentilePosition, percentileTicks } from './scale.js';
import { element, svgDocument, text, type ChartSize } from './svg.js';

/** One point of a percentile curve. */
export interface PercentilePoint {
  /** percentile in [0, 100]; 100 (the maximum) is drawn at the right end of the axis */
  percentile: number;
  /** latency at that percentile, in the chart's unit */
  value: number;
}

/** One curve (e.g. one activation, or the whole session). */
export interface PercentileSeries {
  /** legend text, also named in error messages; colours follow the series order */
  label: string;
  /** points in any order */
  points: readonly PercentilePoint[];
}

/** Input of {@link renderPercentileChart}. */
export interface PercentileChartInput extends ChartSize {
  /** default `Latency by percentile` */
  title?: string;
  /** unit of the values, shown on the y axis, e.g. `ms` */
  unit: string;
  /** the curves, at least one */
  series: readonly PercentileSeries[];
  /**
   * nines shown on the x axis (3 → up to 99.9 %); default: enough for the highest percentile below 100 in the
   * data, at least 2
   */
  decades?: number;
}

/**
 * Render the percentile curve as a standalone SVG string.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when there is no series, a series has no points, or a point has a
 *   percentile outside [0, 100] or a value that is not a finite number (the message names the series)
 */
export function renderPercentileChart(input: PercentileChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 360;
  const title = input.title ?? 'Latency by percentile';
  if (input.series.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'renderPercentileChart: series must hold at least one curve; got none');
  }
  let maxPosition = 0;
  let maxValue = 0;
  for (const s of input.series) {
    if (s.points.length === 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `renderPercentileChart: series '${s.label}' has no points`, { details: { series: s.label } });
    }
    for (const p of s.points) {
      if (!Number.isFinite(p.value) || !Number.isFinite(p.percentile) || p.percentile < 0 || p.percentile > 100) {
        throw new QaicError('QAIC_INVALID_ARGUMENT',
          `renderPercentileChart: series '${s.label}' has a point {percentile: ${p.percentile}, value: ${p.value}}; expected a percentile in [0, 100] and a finite value`,
          { details: { series: s.label, percentile: p.percentile, value: p.value } });
      }
      if (p.percentile < 100) maxPosition = Math.max(maxPosition, percentilePosition(p.percentile));
      maxValue = Math.max(maxValue, p.value);
    }
  }
  const decades = Math.max(1, Math.ceil(input.decades ?? Math.max(2, maxPosition - 1e-9)));
  const f = frame(width, height, DEFAULT_MARGINS);
  const y = niceTicks(0, maxValue, 5);
  const { x: xs, y: ys } = scales(f, [0, decades], [y.min, y.max]);
  const body: string[] = [];
  body.push(axes(f, {
    title,
    xTicks: percentileTicks(decades),
    yTicks: y.ticks,
    xLabel: 'percentile (log scale of 1/(1−p))',
    yLabel: `latency (${input.unit})`,
    x: xs,
    y: ys,
  }));
  const curves = input.series.map((s, i) => {
    const points = [...s.points]
      .map((p) => ({ x: p.percentile >= 100 ? decades : Math.min(decades, percentilePosition(p.percentile)), value: p.value }))
      .sort((a, b) => a.x - b.x || a.value - b.value);
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${coord(xs(p.x))},${coord(ys(p.value))}`).join('');
    return element('path', {
      class: 'series', 'data-series': s.label, d, fill: 'none', stroke: seriesColor(i), 'stroke-width': 2, 'stroke-linejoin': 'round',
    }, [element('title', {}, [text(s.label)])]);
  });
  body.push(element('g', { class: 'plot' }, curves));
  body.push(legend(f, input.series.map((s, i) => ({ label: s.label, color: seriesColor(i) }))));
  return svgDocument(width, height, title, `Latency in ${input.unit} against percentile, ${input.series.length} series`, body);
}

/**
 * Percentile points from raw samples (the library's nearest rank, like HdrHistogram's `getValueAtPercentile`), spaced
 * evenly on the log axis as {@link hdrPercentilePoints} spaces a histogram's: `perDecade` points per nine, up to the
 * last rank, plus the maximum at 100 %.
 *
 * @param samples latencies in any order (not modified)
 * @param perDecade points per decade, default 20
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when `samples` is empty
 */
export function percentilePoints(samples: ArrayLike<number>, perDecade = 20): PercentilePoint[] {
  if (samples.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'percentilePoints: samples is empty; expected at least one latency');
  }
  const sorted = Float64Array.from(samples).sort();
  // the library's nearest rank (metrics/percentiles), on the same log steps as a histogram's curve
  return hdrPercentilePoints({ totalCount: sorted.length, maxValue: sorted[sorted.length - 1]!, getValueAtPercentile: (p) => nearestRank(sorted, p) }, 1, perDecade);
}

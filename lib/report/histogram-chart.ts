/**
 * The latency histogram, one outline per activation on shared bins, so that a slow or bimodal activation stands
 * out against the others.
 */
import { QaicError } from '../errors.js';
import { coord, formatNumber } from './format.js';
import { DEFAULT_MARGINS, axes, frame, legend, scales } from './frame.js';
import { seriesColor } from './palette.js';
import { niceTicks } from './scale.js';
import { element, svgDocument, text, type ChartSize } from './svg.js';

/** Latency samples of one activation (or any group). */
export interface HistogramSeries {
  /** legend text, also named in error messages */
  label: string;
  /** latencies in the chart's unit, finite, at least one */
  samples: ArrayLike<number>;
  /**
   * inferences each sample stands for, default 1; quantile samples of an HdrHistogram (see `hdr-source.ts`) stand
   * for `count / samples.length` each
   */
  weight?: number;
}

/** Input of {@link renderHistogramChart}. */
export interface HistogramChartInput extends ChartSize {
  /** default `Latency histogram per activation` */
  title?: string;
  /** unit of the samples, e.g. `ms` */
  unit: string;
  /** the series, at least one; all are binned on the same edges */
  series: readonly HistogramSeries[];
  /** number of bins, default 40 */
  bins?: number;
}

/** Shared bins: `edges.length === counts[i].length + 1`. */
export interface Bins {
  /**
   * `bins + 1` ascending bin boundaries, from the smallest to the largest sample of all series (widened when all
   * samples are equal); bin i is [edges[i], edges[i+1]), the last bin also holds the largest sample
   */
  edges: number[];
  /** counts per series, per bin */
  counts: number[][];
}

/**
 * Bin every series on the same edges, spanning the smallest to the largest sample of all series.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when a series is empty or holds a non-finite sample, or `bins` < 1
 */
export function binSeries(series: readonly HistogramSeries[], bins = 40): Bins {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `bins must be a positive integer; got ${bins}`, { details: { bins } });
  }
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    if (s.samples.length === 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `histogram series '${s.label}' has no samples`, { details: { series: s.label } });
    }
    for (let i = 0; i < s.samples.length; i++) {
      const v = s.samples[i]!;
      if (!Number.isFinite(v)) {
        throw new QaicError('QAIC_INVALID_ARGUMENT', `histogram series '${s.label}' sample ${i} is ${v}; expected a finite number`, {
          details: { series: s.label, index: i },
        });
      }
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === max) max = min + (min === 0 ? 1 : Math.abs(min) * 0.01);
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.samples.length; i++) {
      const b = Math.min(bins - 1, Math.floor((s.samples[i]! - min) / width));
      c[b]! += s.weight ?? 1;
    }
    return c;
  });
  return { edges, counts };
}

/**
 * Render the per-activation latency histogram as a standalone SVG string (x: latency, y: count per bin).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` as {@link binSeries}, or when there is no series
 */
export function renderHistogramChart(input: HistogramChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 360;
  const title = input.title ?? 'Latency histogram per activation';
  if (input.series.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'renderHistogramChart: series must hold at least one activation; got none');
  }
  const { edges, counts } = binSeries(input.series, input.bins ?? 40);
  const f = frame(width, height, DEFAULT_MARGINS);
  const x = niceTicks(edges[0]!, edges[edges.length - 1]!, 6);
  const y = niceTicks(0, Math.max(...counts.flat()), 5);
  const { x: xs, y: ys } = scales(f, [x.min, x.max], [y.min, y.max]);
  const body: string[] = [axes(f, {
    title, xTicks: x.ticks, yTicks: y.ticks, xLabel: `latency (${input.unit})`, yLabel: 'inferences per bin', x: xs, y: ys,
  })];
  const outlines = input.series.map((s, i) => {
    // A step outline closed to the baseline: bars of all series stay visible through each other.
    let d = `M${coord(xs(edges[0]!))},${coord(ys(0))}`;
    counts[i]!.forEach((c, b) => {
      d += `V${coord(ys(c))}H${coord(xs(edges[b + 1]!))}`;
    });
    d += `V${coord(ys(0))}Z`;
    const color = seriesColor(i);
    return element('path', {
      class: 'series', 'data-series': s.label, d, fill: color, 'fill-opacity': 0.18, stroke: color, 'stroke-width': 1.5,
    }, [element('title', {}, [text(`${s.label}: ${formatNumber(s.samples.length * (s.weight ?? 1), 12)} inferences`)])]);
  });
  body.push(element('g', { class: 'plot' }, outlines));
  body.push(legend(f, input.series.map((s, i) => ({ label: `${s.label} (n=${formatNumber(Math.round(s.samples.length * (s.weight ?? 1)), 12)})`, color: seriesColor(i) }))));
  return svgDocument(width, height, title, `Histogram of latency in ${input.unit}, ${input.series.length} series`, body);
}

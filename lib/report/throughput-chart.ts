/**
 * Throughput over time: inferences per second in consecutive windows of a run. Warm-up ramps, throttling and
 * stalls (a GC pause, a noisy neighbour) show up here and nowhere in a single average.
 */
import { QaicError } from '../errors.js';
import { coord } from './format.js';
import { DEFAULT_MARGINS, axes, frame, legend, scales } from './frame.js';
import { seriesColor } from './palette.js';
import { niceTicks } from './scale.js';
import { element, svgDocument, text, type ChartSize } from './svg.js';

/** Throughput of one window. */
export interface ThroughputPoint {
  /** end of the window, in seconds since the start of the run */
  t: number;
  /** inferences (or items) per second in the window */
  rate: number;
}

/** One throughput line (the session, or one activation). */
export interface ThroughputSeries {
  /** legend text, also named in error messages */
  label: string;
  /** windows in time order, e.g. from `throughputPoints()` */
  points: readonly ThroughputPoint[];
}

/** Input of {@link renderThroughputChart}. */
export interface ThroughputChartInput extends ChartSize {
  /** default `Throughput over time` */
  title?: string;
  /** rate unit shown on the y axis, default `inf/s` */
  unit?: string;
  /** the lines, at least one */
  series: readonly ThroughputSeries[];
}

/**
 * Bucket completion times into windows and turn them into rates.
 *
 * @param completionsSeconds completion time of every inference, in seconds since the start of the run
 * @param windowSeconds window length, default 0.25 s
 * @param itemsPerInference items each inference completes (the batch size), default 1
 * @param durationSeconds length of the run; default: the last completion (a final partial window is dropped so
 *   it does not read as a slowdown)
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for a non-positive window or a negative/non-finite completion time
 */
export function throughputPoints(
  completionsSeconds: ArrayLike<number>,
  windowSeconds = 0.25,
  itemsPerInference = 1,
  durationSeconds?: number,
): ThroughputPoint[] {
  if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `windowSeconds must be a positive number of seconds; got ${windowSeconds}`);
  }
  let end = 0;
  for (let i = 0; i < completionsSeconds.length; i++) {
    const t = completionsSeconds[i]!;
    if (!Number.isFinite(t) || t < 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `completion time ${i} is ${t}; expected seconds >= 0 since the start of the run`);
    }
    end = Math.max(end, t);
  }
  const duration = durationSeconds ?? end;
  const windows = Math.max(1, Math.floor(duration / windowSeconds + 1e-9));
  const counts = new Array<number>(windows).fill(0);
  for (let i = 0; i < completionsSeconds.length; i++) {
    const w = Math.floor(completionsSeconds[i]! / windowSeconds);
    if (w < windows) counts[w]!++;
  }
  return counts.map((c, w) => ({ t: (w + 1) * windowSeconds, rate: (c * itemsPerInference) / windowSeconds }));
}

/**
 * Render throughput over time as a standalone SVG string (x: seconds, y: rate; each window drawn as a step).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when there is no series, a series is empty, or a point is not finite
 */
export function renderThroughputChart(input: ThroughputChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 300;
  const title = input.title ?? 'Throughput over time';
  const unit = input.unit ?? 'inf/s';
  if (input.series.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'renderThroughputChart: series must hold at least one line; got none');
  }
  let tMax = 0;
  let rMax = 0;
  for (const s of input.series) {
    if (s.points.length === 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `renderThroughputChart: series '${s.label}' has no points`, { details: { series: s.label } });
    }
    for (const p of s.points) {
      if (!Number.isFinite(p.t) || !Number.isFinite(p.rate) || p.t < 0 || p.rate < 0) {
        throw new QaicError('QAIC_INVALID_ARGUMENT',
          `renderThroughputChart: series '${s.label}' has a point {t: ${p.t}, rate: ${p.rate}}; expected finite t >= 0 and rate >= 0`,
          { details: { series: s.label } });
      }
      tMax = Math.max(tMax, p.t);
      rMax = Math.max(rMax, p.rate);
    }
  }
  const f = frame(width, height, DEFAULT_MARGINS);
  const x = niceTicks(0, tMax, 6);
  const y = niceTicks(0, rMax, 5);
  const { x: xs, y: ys } = scales(f, [x.min, x.max], [y.min, y.max]);
  const body: string[] = [axes(f, { title, xTicks: x.ticks, yTicks: y.ticks, xLabel: 'time since start (s)', yLabel: `throughput (${unit})`, x: xs, y: ys })];
  const lines = input.series.map((s, i) => {
    const points = [...s.points].sort((a, b) => a.t - b.t);
    // Each rate holds for its whole window: draw from the previous window end (or 0) to this one.
    let d = '';
    let prev = 0;
    points.forEach((p, j) => {
      d += `${j === 0 ? 'M' : 'L'}${coord(xs(prev))},${coord(ys(p.rate))}H${coord(xs(p.t))}`;
      prev = p.t;
    });
    return element('path', {
      class: 'series', 'data-series': s.label, d, fill: 'none', stroke: seriesColor(i), 'stroke-width': 2,
    }, [element('title', {}, [text(s.label)])]);
  });
  body.push(element('g', { class: 'plot' }, lines));
  body.push(legend(f, input.series.map((s, i) => ({ label: s.label, color: seriesColor(i) }))));
  return svgDocument(width, height, title, `Throughput in ${unit} over time, ${input.series.length} series`, body);
}

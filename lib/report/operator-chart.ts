/**
 * Per-operator time shares as horizontal bars, largest first: where the inference time goes, by operator type or
 * node. The rest beyond the `top` largest is folded into one "other" bar so the shares still add up to 100 %.
 */
import { QaicError } from '../errors.js';
import { coord, formatNumber } from './format.js';
import { seriesColor } from './palette.js';
import { linearScale, niceTicks } from './scale.js';
import { element, svgDocument, text } from './svg.js';

/** Time spent in one operator (type or node). */
export interface OperatorTime {
  /** operator type (e.g. `Conv`) or node name: the bar's label */
  name: string;
  /** total (or mean per inference) time, in the chart's unit */
  time: number;
}

/** Input of {@link renderOperatorChart}. */
export interface OperatorChartInput {
  /** default `Time per operator` */
  title?: string;
  /** unit of `time`, e.g. `ms` or `µs/inference` */
  unit: string;
  /** the operators in any order, at least one, with a non-zero total time */
  operators: readonly OperatorTime[];
  /** bars shown before the rest is folded into "other", default 12 */
  top?: number;
  /** width in px, default 720; the height follows from the number of bars */
  width?: number;
}

/** A bar of the chart: a name, its time and share of the total. */
export interface OperatorShare extends OperatorTime {
  /** share of the total, in [0, 1] */
  share: number;
}

/**
 * Sort by time, keep the `top` largest and fold the rest into `other (N operators)`.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when the list is empty, a time is negative or not finite, or all are 0
 */
export function operatorShares(operators: readonly OperatorTime[], top = 12): OperatorShare[] {
  if (operators.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', 'operator chart: operators is empty; expected at least one {name, time}');
  }
  let total = 0;
  for (const o of operators) {
    if (!Number.isFinite(o.time) || o.time < 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `operator '${o.name}' has time ${o.time}; expected a finite number >= 0`, {
        details: { operator: o.name },
      });
    }
    total += o.time;
  }
  if (total === 0) throw new QaicError('QAIC_INVALID_ARGUMENT', 'operator chart: every operator time is 0; nothing to share');
  const sorted = [...operators].sort((a, b) => b.time - a.time || (a.name < b.name ? -1 : 1));
  const keep = sorted.length > top + 1 ? sorted.slice(0, top) : sorted;
  const rest = sorted.slice(keep.length);
  const shares: OperatorShare[] = keep.map((o) => ({ name: o.name, time: o.time, share: o.time / total }));
  if (rest.length > 0) {
    const time = rest.reduce((s, o) => s + o.time, 0);
    shares.push({ name: `other (${rest.length} operators)`, time, share: time / total });
  }
  return shares;
}

/**
 * Render per-operator time shares as a standalone SVG string: one bar per operator with its time and share.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` as {@link operatorShares}
 */
export function renderOperatorChart(input: OperatorChartInput): string {
  const title = input.title ?? 'Time per operator';
  const shares = operatorShares(input.operators, input.top ?? 12);
  const width = input.width ?? 720;
  const barHeight = 18;
  const gap = 6;
  const left = 180;
  const right = width - 130;
  const top = 36;
  const bottom = top + shares.length * (barHeight + gap);
  const height = bottom + 44;
  const x = niceTicks(0, shares[0]!.time, 5);
  const xs = linearScale([0, x.max], [left, right]);
  const body: string[] = [];
  body.push(element('text', { class: 'chart-title', x: left, y: 20, 'font-size': 14, 'font-weight': 600 }, [text(title)]));
  body.push(element('g', { class: 'grid', stroke: '#e5e5e5' }, x.ticks.map((t) =>
    element('line', { x1: coord(xs(t.value)), x2: coord(xs(t.value)), y1: top - 4, y2: bottom }))));
  body.push(element('g', { class: 'ticks', fill: '#333' }, x.ticks.map((t) => element('g', { class: 'tick-x', 'data-value': t.value }, [
    element('text', { x: coord(xs(t.value)), y: bottom + 16, 'text-anchor': 'middle' }, [text(t.label)]),
  ]))));
  body.push(element('text', { class: 'axis-label-x', x: coord((left + right) / 2), y: height - 8, 'text-anchor': 'middle', fill: '#333' },
    [text(`time (${input.unit})`)]));
  const bars = shares.map((s, i) => {
    const y = top + i * (barHeight + gap);
    const name = s.name.length > 26 ? `${s.name.slice(0, 25)}…` : s.name;
    const isOther = i === shares.length - 1 && s.name.startsWith('other (') && shares.length > 1;
    return element('g', { class: 'bar', 'data-name': s.name, 'data-share': Number(s.share.toFixed(6)) }, [
      element('title', {}, [text(`${s.name}: ${formatNumber(s.time)} ${input.unit} (${(s.share * 100).toFixed(1)}%)`)]),
      element('text', { x: left - 8, y: coord(y + barHeight / 2), 'text-anchor': 'end', 'dominant-baseline': 'middle', fill: '#333' }, [text(name)]),
      element('rect', { x: left, y, width: coord(Math.max(1, xs(s.time) - left)), height: barHeight, fill: isOther ? '#999999' : seriesColor(0) }),
      element('text', { x: coord(xs(s.time) + 6), y: coord(y + barHeight / 2), 'dominant-baseline': 'middle', fill: '#333' },
        [text(`${formatNumber(s.time)} ${input.unit} · ${(s.share * 100).toFixed(1)}%`)]),
    ]);
  });
  body.push(element('g', { class: 'plot' }, bars));
  body.push(element('path', { class: 'axis', d: `M${left},${top - 4}V${bottom}`, stroke: '#333', fill: 'none' }));
  return svgDocument(width, height, title, `Share of time per operator in ${input.unit}, ${shares.length} bars`, body);
}

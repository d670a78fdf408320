/**
 * The parts every chart shares: the plot area inside its margins, the title, axes with ticks, grid lines and axis
 * labels (with units), and the legend.
 */
import { coord } from './format.js';
import { linearScale, type Scale, type Tick } from './scale.js';
import { element, text } from './svg.js';

/** Pixel layout of a chart. */
export interface Frame {
  width: number;
  height: number;
  /** plot area */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Margins around the plot area, in px. */
export interface Margins {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Lay out a chart of the given size with the given margins. */
export function frame(width: number, height: number, margins: Margins): Frame {
  return {
    width,
    height,
    left: margins.left,
    top: margins.top,
    right: width - margins.right,
    bottom: height - margins.bottom,
  };
}

/** Default margins: room for tick labels at the left and bottom, the title above, the legend at the right. */
export const DEFAULT_MARGINS: Margins = { left: 64, top: 36, right: 150, bottom: 48 };

/** Scales of a frame for the given data domains. */
export function scales(f: Frame, xDomain: readonly [number, number], yDomain: readonly [number, number]): { x: Scale; y: Scale } {
  return { x: linearScale(xDomain, [f.left, f.right]), y: linearScale(yDomain, [f.bottom, f.top]) };
}

/** What {@link axes} draws. */
export interface AxesSpec {
  title: string;
  xTicks: readonly Tick[];
  yTicks: readonly Tick[];
  /** axis titles, with units, e.g. `latency (ms)` */
  xLabel: string;
  yLabel: string;
  x: Scale;
  y: Scale;
}

/** Title, grid, axis lines, ticks and labels. Elements carry classes (`tick-x`, `tick-y`, ...) for tests and CSS. */
export function axes(f: Frame, spec: AxesSpec): string {
  const out: string[] = [];
  out.push(element('text', { class: 'chart-title', x: coord(f.left), y: 20, 'font-size': 14, 'font-weight': 600 }, [text(spec.title)]));
  const grid: string[] = [];
  const ticks: string[] = [];
  for (const t of spec.xTicks) {
    const x = coord(spec.x(t.value));
    grid.push(element('line', { x1: x, x2: x, y1: coord(f.top), y2: coord(f.bottom) }));
    ticks.push(element('g', { class: 'tick-x', 'data-value': t.value }, [
      element('line', { x1: x, x2: x, y1: coord(f.bottom), y2: coord(f.bottom + 5), stroke: '#333' }),
      element('text', { x, y: coord(f.bottom + 18), 'text-anchor': 'middle' }, [text(t.label)]),
    ]));
  }
  for (const t of spec.yTicks) {
    const y = coord(spec.y(t.value));
    grid.push(element('line', { x1: coord(f.left), x2: coord(f.right), y1: y, y2: y }));
    ticks.push(element('g', { class: 'tick-y', 'data-value': t.value }, [
      element('line', { x1: coord(f.left - 5), x2: coord(f.left), y1: y, y2: y, stroke: '#333' }),
      element('text', { x: coord(f.left - 8), y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, [text(t.label)]),
    ]));
  }
  out.push(element('g', { class: 'grid', stroke: '#e5e5e5', 'stroke-width': 1 }, grid));
  out.push(element('path', {
    class: 'axis',
    d: `M${coord(f.left)},${coord(f.top)}V${coord(f.bottom)}H${coord(f.right)}`,
    fill: 'none',
    stroke: '#333',
  }));
  out.push(element('g', { class: 'ticks', fill: '#333' }, ticks));
  out.push(element('text', {
    class: 'axis-label-x', x: coord((f.left + f.right) / 2), y: coord(f.height - 10), 'text-anchor': 'middle', fill: '#333',
  }, [text(spec.xLabel)]));
  const yMid = coord((f.top + f.bottom) / 2);
  out.push(element('text', {
    class: 'axis-label-y', x: 16, y: yMid, 'text-anchor': 'middle', fill: '#333', transform: `rotate(-90 16 ${yMid})`,
  }, [text(spec.yLabel)]));
  return out.join('');
}

/** One legend line. */
export interface LegendEntry {
  label: string;
  color: string;
}

/** The legend, stacked at the right of the plot area. Long labels are shortened, the full text is the tooltip. */
export function legend(f: Frame, entries: readonly LegendEntry[]): string {
  if (entries.length === 0) return '';
  const rows = entries.map((e, i) => {
    const y = f.top + 8 + i * 18;
    const label = e.label.length > 20 ? `${e.label.slice(0, 19)}…` : e.label;
    return element('g', { class: 'legend-entry' }, [
      element('title', {}, [text(e.label)]),
      element('rect', { x: coord(f.right + 12), y: coord(y - 5), width: 12, height: 10, fill: e.color }),
      element('text', { x: coord(f.right + 30), y: coord(y), 'dominant-baseline': 'middle', fill: '#333' }, [text(label)]),
    ]);
  });
  return element('g', { class: 'legend' }, rows);
}

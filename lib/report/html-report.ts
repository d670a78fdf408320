/**
 * A single self-contained HTML report of a run: summary, charts (inline SVG), tables and the environment. No
 * scripts, no external fonts, styles or images, so the file can be mailed, archived or attached to CI as is.
 */
import { QaicError } from '../errors.js';
import { escapeXml } from './escape.js';
import { htmlTable, type Cell } from './table.js';

/** A chart section: a heading, the SVG from one of the `render*Chart` functions, and an optional caption. */
export interface ReportChart {
  /** bold title above the chart */
  heading: string;
  /** a standalone SVG document (must start with `<svg`), inlined as is */
  svg: string;
  /** text after the heading, e.g. where the numbers come from */
  caption?: string;
}

/** A table section. */
export interface ReportTable {
  /** section heading */
  heading: string;
  /** header cells */
  columns: readonly string[];
  /** the rows, cells in column order (see `Cell` for how values are written) */
  rows: readonly (readonly Cell[])[];
  /** first cell of each row as a row header, default true */
  rowHeaders?: boolean;
}

/** Everything the report shows. */
export interface RunReport {
  /** page title and main heading, e.g. `qaic-runner: det.onnx` */
  title: string;
  /** when the run happened (ISO 8601); passed in so the same data gives the same file */
  generatedAt: string;
  /** headline numbers as `[label, value]`: throughput, latency percentiles, inferences, ... */
  summary: ReadonlyArray<readonly [string, Cell]>;
  /** chart sections, in order; may be empty */
  charts: readonly ReportChart[];
  /** table sections after the charts, in order */
  tables?: readonly ReportTable[];
  /** `[fact, value]` rows, e.g. from `environmentRows()` */
  environment: ReadonlyArray<readonly [string, string]>;
  /** the command line or call that produced the run, shown verbatim */
  command?: string;
}

const STYLE = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#1a1a1a;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#f6f6f6;padding:8px 10px;overflow-x:auto;border-radius:4px}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px;margin:0;padding:0}
.summary div{border:1px solid #ddd;border-radius:6px;padding:8px 10px}.summary dt{color:#555;font-size:12px}.summary dd{margin:2px 0 0;font-size:18px;font-weight:600}
figure{margin:12px 0 20px}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:12.5px}
table.qaic-table{border-collapse:collapse;margin:8px 0}table.qaic-table th,table.qaic-table td{border:1px solid #ddd;padding:3px 8px;text-align:left}
table.qaic-table td.num{text-align:right;font-variant-numeric:tabular-nums}table.qaic-table thead th{background:#f3f3f3}
footer{margin-top:32px;color:#777;font-size:12px}
`;

function summaryValue(value: Cell): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return value === null || value === undefined ? '' : String(value);
}

function assertSvg(chart: ReportChart): void {
  if (!/^<svg[\s>]/.test(chart.svg.trimStart())) {
    throw new QaicError('QAIC_INVALID_ARGUMENT',
      `report chart '${chart.heading}' must be an SVG string starting with <svg; got ${JSON.stringify(chart.svg.slice(0, 20))}`,
      { details: { chart: chart.heading } });
  }
}

/**
 * Render the report as one HTML5 document (UTF-8, inline CSS and SVG, no scripts).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when a chart is not an SVG string (the message names the chart)
 */
export function renderHtmlReport(report: RunReport): string {
  for (const c of report.charts) assertSvg(c);
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(report.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<header><h1>${escapeXml(report.title)}</h1><p class="meta">Generated ${escapeXml(report.generatedAt)}</p></header>`);
  if (report.command !== undefined) parts.push(`<pre class="command">${escapeXml(report.command)}</pre>`);
  parts.push('<section id="summary"><h2>Summary</h2><dl class="summary">');
  for (const [label, value] of report.summary) {
    parts.push(`<div><dt>${escapeXml(label)}</dt><dd>${escapeXml(summaryValue(value))}</dd></div>`);
  }
  parts.push('</dl></section>');
  if (report.charts.length > 0) {
    parts.push('<section id="charts"><h2>Charts</h2>');
    for (const c of report.charts) {
      parts.push(`<figure><figcaption><strong>${escapeXml(c.heading)}</strong>${c.caption === undefined ? '' : ` — ${escapeXml(c.caption)}`}</figcaption>${c.svg}</figure>`);
    }
    parts.push('</section>');
  }
  for (const t of report.tables ?? []) {
    parts.push(`<section><h2>${escapeXml(t.heading)}</h2>${htmlTable({ columns: t.columns, rows: t.rows, rowHeaders: t.rowHeaders ?? true })}</section>`);
  }
  parts.push(`<section id="environment"><h2>Environment</h2>${htmlTable({ columns: ['fact', 'value'], rows: report.environment })}</section>`);
  parts.push('<footer>Written by qaic. Latencies are wall-clock times measured by the library; see the environment before comparing runs.</footer>');
  parts.push('</body></html>\n');
  return parts.join('\n');
}

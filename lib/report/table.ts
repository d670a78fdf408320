/**
 * HTML tables for notebooks and the report: plain rows in, escaped `<table>` markup out. Numbers are right-aligned
 * and formatted without locale so output is identical on every machine.
 */
import { escapeXml } from './escape.js';
import type { Dim } from '../onnx/model.js';
import { formatNumber } from './format.js';

/**
 * A cell: text, a number (4 significant digits, no locale, no trailing zeros: `formatNumber(value, 4)`), a boolean
 * (written `true`/`false`), or empty (`null`/`undefined`).
 */
export type Cell = string | number | boolean | null | undefined;

/** Input of {@link htmlTable}. */
export interface TableInput {
  /** header cells, in order */
  columns: readonly string[];
  /** the rows, each a list of cells in column order */
  rows: readonly (readonly Cell[])[];
  /** optional caption above the table */
  caption?: string;
  /** render each row's first cell as a row header (`<th>`), default true; false for plain lists such as notes */
  rowHeaders?: boolean;
}

function cell(value: Cell, tag: 'td' | 'th'): string {
  if (typeof value === 'number') return `<${tag} class="num">${escapeXml(formatNumber(value, 4))}</${tag}>`;
  return `<${tag}>${escapeXml(value === null || value === undefined ? '' : String(value))}</${tag}>`;
}

/** Render rows as an HTML `<table class="qaic-table">`; every cell is escaped. */
export function htmlTable(input: TableInput): string {
  const head = `<thead><tr>${input.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${input.rows.map((r) => `<tr>${r.map((v, i) => cell(v, i === 0 && input.rowHeaders !== false ? 'th' : 'td')).join('')}</tr>`).join('')}</tbody>`;
  const caption = input.caption === undefined ? '' : `<caption>${escapeXml(input.caption)}</caption>`;
  return `<table class="qaic-table">${caption}${head}${body}</table>`;
}

/**
 * Rows of `[name, shape, dtype]` from a `{name: [shape, dtype]}` dictionary (the form of
 * `session.modelInputShapeDict`), ready for {@link htmlTable} with columns `name, shape, dtype`. A dimension the
 * model leaves unnamed and unsized (`null`) is shown as `?`.
 */
export function shapeDictRows(dict: ShapeDictLike): Cell[][] {
  return Object.entries(dict).map(([name, [shape, dtype]]) => [name, `[${shape.map((d) => d ?? '?').join(', ')}]`, dtype]);
}

/** `{name: [shape, dtype]}`, as `session.modelInputShapeDict` returns it. */
export type ShapeDictLike = Readonly<Record<string, readonly [readonly Dim[], string]>>;

/** Rows of `[key, value]` from a flat record, in insertion order (metrics dictionaries, options). */
export function recordRows(record: Readonly<Record<string, unknown>>): Cell[][] {
  return Object.entries(record).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : JSON.stringify(v)]);
}

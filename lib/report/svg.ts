/**
 * A minimal SVG writer: elements are built as strings with every attribute value and text node escaped. Output
 * is deterministic (attributes in the order given, coordinates rounded by the callers).
 */
import { escapeXml } from './escape.js';

/** Attribute values; `undefined` and `false` omit the attribute. */
export type Attributes = Record<string, string | number | boolean | undefined>;

function attributeText(attributes: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    out += ` ${name}="${escapeXml(value === true ? name : String(value))}"`;
  }
  return out;
}

/**
 * An element with already-rendered children (strings produced by `element` or `text`).
 *
 * @param name element name, trusted (a literal in this library, never user input)
 * @param attributes escaped here
 * @param children rendered child markup; an element without children is self-closed
 */
export function element(name: string, attributes: Attributes = {}, children: readonly string[] = []): string {
  const open = `<${name}${attributeText(attributes)}`;
  return children.length === 0 ? `${open}/>` : `${open}>${children.join('')}</${name}>`;
}

/** A text node, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** Size of a chart in CSS pixels. */
export interface ChartSize {
  /** width in px, default 720 */
  width?: number;
  /** height in px, default 360 */
  height?: number;
}

/**
 * A standalone SVG document (it carries its namespace, so it works inline in HTML, as a file, and in notebooks).
 *
 * @param title accessible title, also shown as a tooltip
 * @param description longer accessible description
 */
export function svgDocument(width: number, height: number, title: string, description: string, body: readonly string[]): string {
  return element('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'font-family': 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
    'font-size': 12,
  }, [element('title', {}, [text(title)]), element('desc', {}, [text(description)]), ...body]);
}

/**
 * Test helper: a strict, small XML 1.0 parser for the markup the report module writes (elements, attributes, text,
 * the five predefined entities and numeric character references; no DTD, CDATA or processing instructions).
 * It throws on anything not well-formed, so a test that parses a chart proves the chart is well-formed XML.
 */

/** A parsed element. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** concatenated, decoded text directly inside this element */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`'<' in text or attribute at ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`unterminated entity near ${where}: ${match}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    if (num === null) throw new Error(`unknown entity &${body}; near ${where}`);
    return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10));
  });
}

/** Parse a document with one root element. @throws Error describing the first well-formedness violation */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipSpace = (): void => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  while (i < source.length) {
    if (source[i] !== '<') {
      const end = source.indexOf('<', i);
      const raw = source.slice(i, end === -1 ? source.length : end);
      if (stack.length === 0) {
        if (raw.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      } else {
        stack[stack.length - 1]!.text += decode(raw, i);
      }
      if (raw.includes('>') && stack.length > 0) throw new Error(`'>' in text at ${i}`);
      i = end === -1 ? source.length : end;
      continue;
    }
    if (source.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(source.slice(i));
      if (m === null) throw new Error(`bad closing tag at ${i}`);
      i += m[0].length;
      skipSpace();
      if (source[i] !== '>') throw new Error(`expected '>' at ${i}`);
      i++;
      const open = stack.pop();
      if (open === undefined || open.name !== m[0]) throw new Error(`closing </${m[0]}> does not match <${open?.name ?? 'nothing'}>`);
      continue;
    }
    i++;
    const m = NAME.exec(source.slice(i));
    if (m === null) throw new Error(`bad tag name at ${i}`);
    i += m[0].length;
    const el: XmlElement = { name: m[0], attributes: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) { i += 2; break; }
      if (source[i] === '>') { i++; stack.push(el); break; }
      if (i === before) throw new Error(`expected whitespace before attribute at ${i}`);
      const a = NAME.exec(source.slice(i));
      if (a === null) throw new Error(`bad attribute name at ${i}`);
      i += a[0].length;
      if (source[i] !== '=') throw new Error(`expected '=' after attribute ${a[0]} at ${i}`);
      i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${a[0]} at ${i}`);
      const end = source.indexOf(quote, i + 1);
      if (end === -1) throw new Error(`unterminated attribute ${a[0]}`);
      if (a[0] in el.attributes) throw new Error(`duplicate attribute ${a[0]} on <${el.name}>`);
      el.attributes[a[0]] = decode(source.slice(i + 1, end), i);
      i = end + 1;
    }
    const parent = stack[stack.length - (stack[stack.length - 1] === el ? 2 : 1)];
    if (parent !== undefined) parent.children.push(el);
    else if (root === undefined) root = el;
    else throw new Error(`second root element <${el.name}>`);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `root` with the given name, in document order. */
export function findAll(root: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (predicate(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** All text inside an element and its descendants. */
export function deepText(e: XmlElement): string {
  return e.text + e.children.map(deepText).join('');
}

/**
 * Text escaping for SVG and HTML output. Every string that reaches a chart or the report (model names, operator
 * names, labels from users) goes through here, so a name such as `a<b&"c"` can never break the markup.
 */

// XML 1.0 forbids most C0 control characters even when escaped; drop them so the document always parses.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escape text for XML/HTML element content and double- or single-quoted attribute values.
 *
 * @param text any string; characters XML 1.0 forbids (C0 controls other than tab, LF, CR) are removed
 * @returns the text with `&`, `<`, `>`, `"` and `'` replaced by entities
 */
export function escapeXml(text: string): string {
  return text
    .replace(FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

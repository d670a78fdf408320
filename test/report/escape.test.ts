// Hostile labels (markup, quotes, control characters) cannot break a chart or the report: they parse back to the
// same text.
import t from 'tap';
import { escapeXml } from '../../lib/report/escape.js';
import { renderPercentileChart } from '../../lib/report/percentile-chart.js';
import { findAll, parseXml } from './xml.js';

t.test('labels round-trip through escaping', async (t) => {
  t.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  t.equal(escapeXml('bell\u0007ok'), 'bellok', 'characters XML forbids are dropped');
  const label = `</text><script>alert("x")</script>&amp;'`;
  const svg = renderPercentileChart({ unit: 'µs <raw>', title: label, series: [{ label, points: [{ percentile: 0, value: 1 }] }] });
  t.notMatch(svg, /<script/);
  const doc = parseXml(svg);
  t.equal(findAll(doc, (e) => e.name === 'title')[0]!.text, label);
  t.equal(findAll(doc, (e) => e.attributes.class === 'series')[0]!.attributes['data-series'], label);
  t.ok(findAll(doc, (e) => e.attributes.class === 'axis-label-y')[0]!.text.includes('µs <raw>'));
});

// The HTML report is one self-contained document: summary, inline SVG charts, tables, environment; no scripts and
// no external resources.
import t from 'tap';
import { renderHtmlReport } from '../../lib/report/html-report.js';
import { environmentRows } from '../../lib/report/environment.js';
import { renderOperatorChart } from '../../lib/report/operator-chart.js';
import { findAll, parseXml } from './xml.js';

t.test('self-contained report with every section', async (t) => {
  const chart = renderOperatorChart({ unit: 'ms', operators: [{ name: 'Conv', time: 3 }, { name: 'Relu', time: 1 }] });
  const env = environmentRows();
  const html = renderHtmlReport({
    title: 'qaic-runner: <det>.onnx',
    generatedAt: '2026-01-01T00:00:00.000Z',
    command: 'qaic-runner -t det --report r.html',
    summary: [['inf/s', 123.456], ['P99 (ms)', 8.25], ['inferences', 400]],
    charts: [{ heading: 'Operators', svg: chart, caption: 'from onnxruntime profiling' }],
    tables: [{ heading: 'Metrics', columns: ['metric', 'value'], rows: [['P50', 1.5]] }],
    environment: env,
  });
  t.match(html, /^<!DOCTYPE html>/);
  t.notMatch(html, /<script/i, 'no scripts');
  t.notMatch(html, /\b(src|href)=/i, 'no external resources');
  t.match(html, /<title>qaic-runner: &lt;det&gt;\.onnx<\/title>/);
  t.match(html, /<dd>123\.5<\/dd>/, 'summary numbers rounded to 4 significant digits');
  t.ok(html.includes(chart), 'chart inlined verbatim');
  // The body is XHTML-compatible: parse it to check nesting.
  const body = html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7);
  const doc = parseXml(body);
  t.equal(findAll(doc, (e) => e.name === 'svg').length, 1);
  t.equal(findAll(doc, (e) => e.name === 'section').length, 4, 'summary, charts, metrics table, environment');
  const envRows = findAll(doc, (e) => e.name === 'tr').filter((r) => r.children[0]?.text === 'Node.js');
  t.equal(envRows[0]?.children[1]?.text, process.version);
  t.ok(env.some(([k, v]) => k === 'onnxruntime-node' && /^\d+\.\d+/.test(v)), 'onnxruntime-node version found');
});

t.test('BAD CALL - a chart that is not SVG', async (t) => {
  t.throws(() => renderHtmlReport({ title: 'x', generatedAt: 'now', summary: [], environment: [], charts: [{ heading: 'Latency', svg: '<div>' }] }),
    { code: 'QAIC_INVALID_ARGUMENT', message: /Latency/ });
});

// Throughput over time: completions become per-window rates, drawn as steps against seconds.
import t from 'tap';
import { renderThroughputChart, throughputPoints } from '../../lib/report/throughput-chart.js';
import { findAll, parseXml } from './xml.js';

t.test('windows, rates and the step line', async (t) => {
  // 4 completions in the first half second, 2 in the second, batch 2.
  const points = throughputPoints([0.1, 0.2, 0.3, 0.4, 0.6, 0.9, 1.0], 0.5, 2);
  t.same(points, [{ t: 0.5, rate: 16 }, { t: 1, rate: 8 }], 'the completion exactly at the end falls in a dropped partial window');
  const svg = renderThroughputChart({ series: [{ label: 'session', points }] });
  const doc = parseXml(svg);
  const path = findAll(doc, (e) => e.attributes.class === 'series')[0]!;
  t.match(path.attributes.d, /^M[\d.]+,[\d.]+H[\d.]+L[\d.]+,[\d.]+H[\d.]+$/, 'one horizontal step per window');
  t.ok(findAll(doc, (e) => e.attributes.class === 'axis-label-y')[0]!.text.includes('inf/s'));
  t.ok(findAll(doc, (e) => e.attributes.class === 'axis-label-x')[0]!.text.includes('(s)'));
});

t.test('BAD CALL - bad window or completion time', async (t) => {
  t.throws(() => throughputPoints([1], 0), { code: 'QAIC_INVALID_ARGUMENT', message: /windowSeconds/ });
  t.throws(() => throughputPoints([1, -2]), { code: 'QAIC_INVALID_ARGUMENT', message: /completion time 1/ });
  t.throws(() => renderThroughputChart({ series: [{ label: 's', points: [] }] }), { code: 'QAIC_INVALID_ARGUMENT' });
});

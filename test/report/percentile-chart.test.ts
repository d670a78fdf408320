// The percentile curve is well-formed SVG whose x axis is log10(1/(1-p)): 0%, 90%, 99%, 99.9% evenly spaced, and
// each point lands at its percentile's position.
import t from 'tap';
import { percentilePoints, renderPercentileChart } from '../../lib/report/percentile-chart.js';
import { percentilePosition, percentileTicks } from '../../lib/report/scale.js';
import { deepText, findAll, parseXml } from './xml.js';

t.test('log-scale ticks are evenly spaced at 0%, 90%, 99%, 99.9%', async (t) => {
  t.same(percentileTicks(3).map((k) => k.label), ['0%', '90%', '99%', '99.9%']);
  t.equal(percentilePosition(0), 0);
  t.ok(Math.abs(percentilePosition(90) - 1) < 1e-12);
  t.ok(Math.abs(percentilePosition(99) - 2) < 1e-12);
  t.ok(Math.abs(percentilePosition(99.9) - 3) < 1e-9);
  t.ok(Math.abs(percentilePosition(50) - Math.log10(2)) < 1e-12, '50% sits at log10(2) of a decade');

  const svg = renderPercentileChart({
    unit: 'ms',
    series: [{ label: 'session', points: [{ percentile: 0, value: 1 }, { percentile: 50, value: 2 }, { percentile: 99, value: 5 }, { percentile: 99.9, value: 9 }] }],
  });
  const doc = parseXml(svg);
  t.equal(doc.name, 'svg');
  t.equal(doc.attributes.xmlns, 'http://www.w3.org/2000/svg');
  const ticks = findAll(doc, (e) => e.attributes.class === 'tick-x');
  t.same(ticks.map((g) => deepText(g)), ['0%', '90%', '99%', '99.9%']);
  const xs = ticks.map((g) => Number(g.children[0]!.attributes.x1));
  const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
  for (const g of gaps) t.ok(Math.abs(g - gaps[0]!) <= 0.02, `tick gap ${g} equals ${gaps[0]}`);

  const path = findAll(doc, (e) => e.name === 'path' && e.attributes.class === 'series')[0]!;
  const pts = [...path.attributes.d!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => Number(m[1]));
  t.equal(pts.length, 4);
  t.ok(Math.abs(pts[0]! - xs[0]!) <= 0.02, 'p0 at the 0% tick');
  t.ok(Math.abs(pts[1]! - (xs[0]! + Math.log10(2) * gaps[0]!)) <= 0.05, 'p50 at log10(2) of the first decade');
  t.ok(Math.abs(pts[2]! - xs[2]!) <= 0.02, 'p99 at the 99% tick');
  t.ok(Math.abs(pts[3]! - xs[3]!) <= 0.02, 'p99.9 at the 99.9% tick');
  t.ok(findAll(doc, (e) => e.attributes.class === 'axis-label-y').some((e) => e.text.includes('(ms)')), 'y axis names the unit');
  t.equal(findAll(doc, (e) => e.attributes.class === 'legend-entry').length, 1);
});

t.test('points from samples follow nearest rank and end at the maximum', async (t) => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, reversed
  const points = percentilePoints(samples, 1);
  // P99.9 of 1..1000 is rank 999 (HdrHistogram's getValueAtPercentile(99.9) says 999 too); 0.999 * 1000 is
  // 999.0000000000001 in floating point, which a bare ceil turned into rank 1000
  t.same(points.map((p) => p.value), [1, 900, 990, 999, 1000]);
  t.equal(points[points.length - 1]!.percentile, 100);
  t.equal(samples[0], 1000, 'input not modified');
  const svg = renderPercentileChart({ unit: 'ms', series: [{ label: 'a', points }] });
  t.same(findAll(parseXml(svg), (e) => e.attributes.class === 'tick-x').map(deepText), ['0%', '90%', '99%', '99.9%'],
    '1000 samples give three nines');
});

t.test('BAD CALL - percentile out of range or empty series', async (t) => {
  t.throws(() => renderPercentileChart({ unit: 'ms', series: [] }), { code: 'QAIC_INVALID_ARGUMENT' });
  t.throws(() => renderPercentileChart({ unit: 'ms', series: [{ label: 'act 1', points: [{ percentile: 120, value: 1 }] }] }),
    { code: 'QAIC_INVALID_ARGUMENT', message: /act 1.*120/ });
  t.throws(() => percentilePoints([]), { code: 'QAIC_INVALID_ARGUMENT' });
  t.throws(() => percentilePosition(100), { code: 'QAIC_INVALID_ARGUMENT' });
});

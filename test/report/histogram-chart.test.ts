// The per-activation histogram bins every activation on the same edges and draws one outline per activation.
import t from 'tap';
import { binSeries, renderHistogramChart } from '../../lib/report/histogram-chart.js';
import { deepText, findAll, parseXml } from './xml.js';

t.test('shared bins, counts add up, one outline per activation', async (t) => {
  const a = [1, 1.1, 1.2, 1.3, 5];
  const b = [2, 2, 2, 3];
  const bins = binSeries([{ label: 'a', samples: a }, { label: 'b', samples: b }], 4);
  t.same(bins.edges, [1, 2, 3, 4, 5]);
  t.same(bins.counts, [[4, 0, 0, 1], [0, 3, 1, 0]]);

  const svg = renderHistogramChart({ unit: 'ms', bins: 4, series: [{ label: 'activation 0', samples: a }, { label: 'activation 1', samples: b }] });
  const doc = parseXml(svg);
  const series = findAll(doc, (e) => e.attributes.class === 'series');
  t.same(series.map((s) => s.attributes['data-series']), ['activation 0', 'activation 1']);
  t.not(series[0]!.attributes.stroke, series[1]!.attributes.stroke, 'activations have different colours');
  t.same(findAll(doc, (e) => e.attributes.class === 'legend-entry').map((e) => e.children[2]!.text), ['activation 0 (n=5)', 'activation 1 (n=4)']);
  t.ok(findAll(doc, (e) => e.attributes.class === 'axis-label-x').some((e) => deepText(e) === 'latency (ms)'));
  const yTicks = findAll(doc, (e) => e.attributes.class === 'tick-y').map((e) => Number(e.attributes['data-value']));
  t.ok(Math.max(...yTicks) >= 4, 'y axis reaches the tallest bin');
});

t.test('BAD CALL - empty activation or non-finite sample', async (t) => {
  t.throws(() => renderHistogramChart({ unit: 'ms', series: [{ label: 'act 3', samples: [] }] }),
    { code: 'QAIC_INVALID_ARGUMENT', message: /act 3/ });
  t.throws(() => binSeries([{ label: 'x', samples: [1, Number.NaN] }]), { code: 'QAIC_INVALID_ARGUMENT', message: /sample 1/ });
  t.throws(() => binSeries([{ label: 'x', samples: [1] }], 0), { code: 'QAIC_INVALID_ARGUMENT' });
});

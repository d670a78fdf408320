// Same data, same bytes: every chart and the report are pure functions of their input (no clock, no randomness,
// no locale), so reports can be diffed and cached.
import t from 'tap';
import { renderPercentileChart, percentilePoints } from '../../lib/report/percentile-chart.js';
import { renderHistogramChart } from '../../lib/report/histogram-chart.js';
import { renderThroughputChart } from '../../lib/report/throughput-chart.js';
import { renderOperatorChart } from '../../lib/report/operator-chart.js';
import { renderHtmlReport } from '../../lib/report/html-report.js';

function render(samples: number[]): string[] {
  const percentile = renderPercentileChart({ unit: 'ms', series: [{ label: 'a', points: percentilePoints(samples) }] });
  return [
    percentile,
    renderHistogramChart({ unit: 'ms', series: [{ label: 'a', samples }] }),
    renderThroughputChart({ series: [{ label: 'a', points: samples.map((s, i) => ({ t: i + 1, rate: s })) }] }),
    renderOperatorChart({ unit: 'ms', operators: samples.map((s, i) => ({ name: `op${i}`, time: s })) }),
    renderHtmlReport({ title: 'x', generatedAt: 'fixed', summary: [['n', samples.length]], charts: [{ heading: 'p', svg: percentile }], environment: [] }),
  ];
}

t.test('identical output for equal input', async (t) => {
  const samples = [3.25, 1.5, 2.75, 10.125, 4, 4, 0.5];
  const first = render(samples);
  const second = render([...samples]);
  first.forEach((out, i) => t.equal(second[i], out, `output ${i} is identical`));
  t.not(render([...samples, 20])[0], first[0], 'different data gives a different chart');
});

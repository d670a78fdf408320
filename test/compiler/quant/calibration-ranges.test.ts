import t from 'tap';
import { addValues, emptyHistogram, mergeHistograms } from '../../../lib/compiler/quant/histogram.js';
import { calibratedRange, expectedSquaredError, quantileOf } from '../../../lib/compiler/quant/ranges.js';

function histogramOf(values: number[], bins: number) {
  const h = emptyHistogram(bins);
  addValues(h, values);
  return h;
}

t.test('a histogram counts every finite value once, and widening keeps the total', async (t) => {
  const h = histogramOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);
  t.same([...h.counts].map((c) => Math.round(c * 1000) / 1000), [1, 1, 1, 1, 1, 1, 1, 1, 1, 2].map((_, i) => (i < 9 ? 1 : 1)), 'one value per bin');
  addValues(h, [19, Number.NaN, Infinity]);
  t.equal(h.lo, 0);
  t.equal(h.hi, 19);
  t.equal(h.total, 12, 'NaN excluded, +inf clamped into the last bin');
  t.equal(h.nans, 1);
  t.equal(h.infinities, 1);
  t.ok(Math.abs(h.counts.reduce((a, b) => a + b, 0) - 12) < 1e-9, 're-binning keeps the mass');
  t.equal(h.counts[9], 2, '19 and +inf in the last bin');
  const m = mergeHistograms(histogramOf([0, 1], 4), histogramOf([2, 3], 4));
  t.equal(m.total, 4);
  t.same([m.min, m.max], [0, 3]);
  t.throws(() => emptyHistogram(1), { code: 'QAIC_INVALID_ARGUMENT' });
});

t.test('None is MinMax: the exact extremes', async (t) => {
  t.same(calibratedRange(histogramOf([-2, 0.5, 3], 16), 'None'), { min: -2, max: 3 });
});

t.test('Percentile cuts (100 - p) / 2 percent from each tail, hand-computed on a uniform histogram', async (t) => {
  const values = Array.from({ length: 1000 }, (_, i) => i); // 100 bins of width 9.99, 10 values each
  const h = histogramOf(values, 100);
  t.ok(Math.abs(quantileOf(h, 0.01) - 9.99) < 1e-9, 'the 1 % point is the first bin edge');
  const r = calibratedRange(h, 'Percentile', { percentile: 98 });
  t.ok(Math.abs(r.min - 9.99) < 1e-9 && Math.abs(r.max - 989.01) < 1e-9, `98 %: [${r.min}, ${r.max}] = [9.99, 989.01]`);
  t.same(calibratedRange(h, 'Percentile', { percentile: 100 }), { min: 0, max: 999 }, '100 % is MinMax');
  t.throws(() => calibratedRange(h, 'Percentile', { percentile: 80 }), { code: 'QAIC_INVALID_OPTION', message: /percentile_calibration_value.*\[90, 100\].*80/ });
});

// a bulk in [-1, 1] and one far outlier: the entropy and error methods must clip the outlier, MinMax must not
const bulk = Array.from({ length: 20000 }, (_, i) => Math.sin(i * 12.9898) * 1);
const withOutlier = [...bulk, 100];

for (const method of ['KLMinimization', 'KLMinimizationV2'] as const) {
  t.test(`${method} clips a far outlier that MinMax keeps`, async (t) => {
    const h = histogramOf(withOutlier, 2048);
    const r = calibratedRange(h, method);
    t.ok(r.max < 50, `${method}: max ${r.max} is well below the outlier 100`);
    t.ok(r.max >= 0.5, `${method}: max ${r.max} still covers the bulk`);
    t.ok(r.min >= h.min && r.max <= h.max, 'inside the observed extremes');
  });
}

t.test('MSE keeps one far outlier nearly whole: clipping it costs more than the coarser steps do', async (t) => {
  // full range [-1, 100]: noise (101/255)^2/12 = 0.0131 per value x 20001 values = 262; clipping the outlier to 1
  // alone would cost 99^2 = 9801, so the least-error range stays near the full one (a few percent are traded)
  const h = histogramOf(withOutlier, 2048);
  const r = calibratedRange(h, 'MSE');
  t.ok(r.max > 90 && r.max <= h.max, `max ${r.max} stays near the outlier`);
});

t.test('MSE (and SQNR, the same criterion for one tensor) clips a heavy tail, and picks its least-error candidate', async (t) => {
  let x = 12345;
  const cauchy = Array.from({ length: 20000 }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return Math.tan(Math.PI * ((x + 0.5) / 4294967296 - 0.5));
  });
  const h = histogramOf(cauchy, 2048);
  const r = calibratedRange(h, 'MSE');
  t.ok(r.max < h.max && r.min > h.min, `clipped: [${r.min}, ${r.max}] inside [${h.min}, ${h.max}]`);
  const chosen = expectedSquaredError(h, r.min, r.max);
  t.ok(chosen < expectedSquaredError(h, h.min, h.max), 'less error than MinMax');
  for (const a of [0.9, 0.5, 0.2]) t.ok(chosen <= expectedSquaredError(h, a * h.min, a * h.max) + 1e-9, `no more error than the range scaled by ${a}`);
  t.same(calibratedRange(h, 'SQNR'), r, 'SQNR chooses the same range');
});

t.test('a constant tensor and a tensor that saw nothing', async (t) => {
  t.same(calibratedRange(histogramOf([2, 2, 2], 8), 'KLMinimization'), { min: 2, max: 2 });
  t.throws(() => calibratedRange(histogramOf([Number.NaN], 8), 'None'), { code: 'QAIC_INVALID_ARGUMENT', message: /saw no finite value/ });
  t.throws(() => calibratedRange(histogramOf([1, 2], 8), 'Bogus' as never), { code: 'QAIC_INVALID_OPTION', message: /quantization_calibration.*'Bogus'/ });
});

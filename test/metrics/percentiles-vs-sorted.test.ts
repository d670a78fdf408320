import t from 'tap';
import { LatencyStore } from '../../lib/metrics/latency-store.js';
import { PERCENTILES, nearestRank } from '../../lib/metrics/percentiles.js';

// A skewed, latency-like distribution (lognormal around 2 ms with a tail), reproducible.
function samples(n: number, seed: number): number[] {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    return Math.round(2e6 * Math.exp(0.4 * z));
  });
}

for (const n of [1, 7, 100, 1000, 54321]) {
  t.test(`${n} samples: every percentile is the sorted-array nearest-rank value within HDR precision`, async (t) => {
    const values = samples(n, n);
    const store = new LatencyStore();
    for (const v of values) store.record('e2e', 0, v);
    const sorted = [...values].sort((a, b) => a - b);
    const s = store.summary('e2e');
    t.equal(s.count, n);
    t.equal(s.min, sorted[0]! * 1e-9, 'min is exact');
    t.equal(s.max, sorted[n - 1]! * 1e-9, 'max is exact');
    t.ok(Math.abs(s.total - sorted.reduce((a, b) => a + b, 0) * 1e-9) < 1e-12, 'sum is exact');
    for (const { key, p } of PERCENTILES) {
      const exact = nearestRank(sorted, p);
      const got = s.percentiles[key].value / 1e-9;
      // 3 significant digits: the reported value is the top of the bucket holding the exact sample (<= 1/1024 above)
      t.ok(got >= exact - 0.5 && got <= exact * (1 + 1 / 1024) + 1, `${key}: ${got} vs exact ${exact}`);
      t.ok(got <= sorted[n - 1]! + 0.5, `${key} never exceeds the max`);
      t.equal(s.percentiles[key].undersampled, n < Math.ceil(1 / (1 - p / 100) - 1e-9), `${key} undersampled flag`);
    }
  });
}

t.test('the first inference is kept apart from the histograms', async (t) => {
  const store = new LatencyStore();
  store.record('e2e', 0, 50_000_000, true);
  store.record('e2e', 0, 1_000_000);
  store.record('e2e', 0, 2_000_000);
  t.equal(store.summary('e2e').count, 2);
  t.equal(store.summary('e2e').max, 0.002);
  t.same(store.firstInferences().get(0), { e2e: 0.05 });
});

t.test('a negative latency is refused', async (t) => {
  const store = new LatencyStore();
  t.throws(() => store.record('e2e', 0, -5), { code: 'QAIC_INTERNAL' });
});

import t from 'tap';
import { LatencyStore } from '../../lib/metrics/latency-store.js';

t.test('histograms of 3 activations merged equal one histogram of all the samples', async (t) => {
  const perActivation = new LatencyStore();
  const single = new LatencyStore();
  for (let i = 0; i < 30_000; i++) {
    const v = 500_000 + ((i * 7919) % 3_000_000) + (i % 97 === 0 ? 40_000_000 : 0);
    perActivation.record('ort', i % 3, v);
    single.record('ort', 0, v);
  }
  t.same(perActivation.activations('ort'), [0, 1, 2]);
  const merged = perActivation.summary('ort');
  const whole = single.summary('ort');
  t.same({ ...merged, stdev: 0, cov: 0 }, { ...whole, stdev: 0, cov: 0 }, 'count, min, max, sum, mean and every percentile agree exactly');
  // the sums of squares pass 2^53 here, so their rounding depends on the order of addition
  t.ok(Math.abs(merged.stdev - whole.stdev) <= whole.stdev * 1e-9, 'stdev agrees to rounding');
  const a0 = perActivation.activationSummary('ort', 0);
  t.equal(a0.count, 10_000, 'each activation keeps its own histogram');
});

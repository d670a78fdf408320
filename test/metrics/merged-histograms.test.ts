import t from 'tap';
import { LatencyStore, summarise } from '../../lib/metrics/latency-store.js';

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

t.test('the summary read across activations equals summarise() of the merged histogram (runBenchmark uses the former)', async (t) => {
  const store = new LatencyStore();
  for (let i = 0; i < 20_011; i++) store.record('benchmark', i % 2, 1_000 + ((i * 104_729) % 9_000_000) + (i % 211 === 0 ? 90_000_000 : 0));
  const m = store.merged('benchmark');
  const direct = summarise(m.histogram, m.sumNs, m.sumSqNs);
  const read = store.summary('benchmark');
  t.same({ ...read, stdev: 0, cov: 0 }, { ...direct, stdev: 0, cov: 0 }, 'count, extremes, sum, mean and every percentile (value, rank, flags) agree');
  t.ok(Math.abs(read.stdev - direct.stdev) <= direct.stdev * 1e-9, 'stdev agrees to rounding');
});

// Chart series from the metrics' compressed HdrHistograms (the only latency record runBenchmark leaves): percentile
// points follow the histogram, quantile samples weigh up to its count, activations are split by tag.
import t from 'tap';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { stageSeries } from '../../lib/report/hdr-source.js';

function encoded(valuesNs: number[]): string {
  const h = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  for (const v of valuesNs) h.recordValue(v);
  const text = encodeIntoCompressedBase64(h);
  h.destroy();
  return text;
}

t.test('per-activation curves, merged curve and weighted quantile samples', async (t) => {
  // activation 0: 1..1000 ms, activation 1: 2000 × 5 ms (in ns)
  const a0 = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1e6);
  const a1 = Array.from({ length: 2000 }, () => 5e6);
  // act1's values lie inside act0's range; the merge must also take a later histogram with larger values (act2).
  const series = stageSeries({ 'benchmark.act0': encoded(a0), 'benchmark.act1': encoded(a1), 'e2e.act0': encoded([1]) }, 'benchmark');
  const grown = stageSeries({ 'benchmark.act0': encoded([1e6, 2e6]), 'benchmark.act1': encoded([5e9]) }, 'benchmark');
  const all = grown.percentiles[0]!.points;
  t.ok(Math.abs(all[all.length - 1]!.value - 5000) < 5, 'merging a histogram with larger values than the first works (max 5 s)');
  t.same(series.percentiles.map((s) => s.label), ['all activations', 'activation 0', 'activation 1']);
  const act0 = series.percentiles[1]!.points;
  const p90 = act0.find((p) => Math.abs(p.percentile - 90) < 1e-9)!;
  t.ok(Math.abs(p90.value - 900) <= 1, `P90 of 1..1000 ms is 900 ms (got ${p90.value})`);
  t.equal(act0[act0.length - 1]!.percentile, 100);
  t.ok(Math.abs(act0[act0.length - 1]!.value - 1000) <= 1, 'the last point is the maximum');
  t.same(series.histograms.map((h) => h.label), ['activation 0', 'activation 1']);
  for (const [i, n] of [[0, 1000], [1, 2000]] as const) {
    const h = series.histograms[i]!;
    t.equal(h.samples.length * (h.weight ?? 1), n, `activation ${i}: quantile samples weigh up to ${n} inferences`);
  }
  t.ok(Array.from(series.histograms[1]!.samples).every((v) => Math.abs(v - 5) < 0.01), 'a constant latency gives constant samples');
});

t.test('BAD CALL - a stage with no histogram', async (t) => {
  t.throws(() => stageSeries({ 'e2e.act0': encoded([1e6]) }, 'benchmark'), { code: 'QAIC_INVALID_ARGUMENT', message: /e2e\.act0/ });
});

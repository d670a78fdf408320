import t from 'tap';
import { binomialCdf, earlyStoppingEstimate, minPassingQueries, minQueriesForEarlyStopping, serverEarlyStopping } from '../../lib/loadgen/early-stopping.js';

// The binomial CDF straight from its definition (products, no logs), for small n: the reference the rule is checked against.
function directCdf(t: number, n: number, q: number): number {
  let sum = 0;
  for (let k = 0; k <= t; k++) {
    let c = 1;
    for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
    sum += c * q ** k * (1 - q) ** (n - k);
  }
  return sum;
}

t.test('LoadGen early stopping needs 64 queries for p90 and 662 for p99 (99 % confidence)', async (t) => {
  t.equal(minQueriesForEarlyStopping(90), 64);
  t.equal(minQueriesForEarlyStopping(99), 662, 'the MultiStream min_query_count of mlperf.conf');
  // the boundary itself, from the definition: with 1 overlatency query, n passes when P(X <= 1; n, 1 - p) < 0.01
  t.ok(directCdf(1, 64, 0.1) < 0.01 && directCdf(1, 63, 0.1) >= 0.01, '64 is the first n for p90');
  t.ok(directCdf(1, 662, 0.01) < 0.01 && directCdf(1, 661, 0.01) >= 0.01, '662 is the first n for p99');
});

t.test('the log-space CDF agrees with the direct sum', async (t) => {
  for (const [k, n, q] of [[0, 10, 0.1], [3, 50, 0.1], [5, 200, 0.01], [20, 300, 0.05]] as Array<[number, number, number]>) {
    t.ok(Math.abs(binomialCdf(k, n, q) - directCdf(k, n, q)) < 1e-12, `P(X <= ${k}; ${n}, ${q})`);
  }
  t.equal(binomialCdf(5, 5, 0.3), 1);
});

t.test('minPassingQueries(t) is the smallest h with P(X <= t; h + t, 1 - p) below 1 %', async (t) => {
  for (const [tt, p] of [[0, 90], [1, 90], [4, 90], [2, 99], [10, 95]] as Array<[number, number]>) {
    const h = minPassingQueries(tt, p);
    t.ok(directCdf(tt, h + tt, 1 - p / 100) < 0.01, `h(${tt}) = ${h} passes at p${p}`);
    t.ok(directCdf(tt, h - 1 + tt, 1 - p / 100) >= 0.01, `h(${tt}) - 1 does not`);
  }
});

t.test('SingleStream estimate: the largest t with h(t) + t <= n, reporting sorted[n - t]', async (t) => {
  const sorted = Array.from({ length: 63 }, (_, i) => i + 1);
  t.equal(earlyStoppingEstimate(sorted, 90).met, false, '63 queries: no estimate at p90');
  t.equal(earlyStoppingEstimate(sorted, 90).queries_needed, 64);
  const n = 1000;
  const values = Array.from({ length: n }, (_, i) => (i + 1) * 10);
  const es = earlyStoppingEstimate(values, 90);
  t.ok(es.met);
  const tt = es.overlatency_count;
  t.ok(minPassingQueries(tt, 90) + tt <= n && minPassingQueries(tt + 1, 90) + tt + 1 > n, `t = ${tt} is the largest that fits`);
  t.equal(es.estimate_ns, values[n - tt], 'estimate is sorted[n - t]');
  t.ok(es.estimate_ns! >= values[Math.floor(0.9 * n)]!, 'the guaranteed estimate is at or above the plain p90');
});

t.test('Server: t counts the queries over the bound, and the run needs h(t) + t queries', async (t) => {
  const latencies = [...Array.from({ length: 700 }, () => 5), 20, 30];
  const es = serverEarlyStopping(latencies, 10, 99);
  t.equal(es.overlatency_count, 2);
  t.equal(es.queries_needed, minPassingQueries(2, 99) + 2);
  t.equal(es.met, latencies.length >= es.queries_needed);
  t.equal(serverEarlyStopping(Array.from({ length: 661 }, () => 1), 10, 99).met, true, 'no overlatency query: h(0) suffices');
});

import t from 'tap';
import { poissonSchedule, seededUniform } from '../../lib/loadgen/schedule.js';

const base = { targetQps: 200, minDurationMs: 1000, minQueryCount: 100, maxDurationMs: 0, maxQueryCount: 0, seed: 7 };

t.test('the same seed gives the same schedule, another seed another', async (t) => {
  t.same(poissonSchedule(base), poissonSchedule(base));
  t.not(poissonSchedule(base)[0], poissonSchedule({ ...base, seed: 8 })[0]);
  const u = seededUniform(2 ** 40 + 3);
  const v = seededUniform(3);
  t.not(u(), v(), 'both halves of a large seed count');
});

t.test('arrivals are Poisson at target_qps: exponential gaps with mean 1/qps and CoV 1', async (t) => {
  const s = poissonSchedule({ ...base, minDurationMs: 500_000 });
  const gaps = Array.from(s, (v, i) => v - (i === 0 ? 0 : s[i - 1]!));
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
  // 100k gaps: the standard error of the mean is 0.3 %, so 2 % is far outside chance (and the schedule is seeded).
  t.ok(Math.abs(mean - 5e6) / 5e6 < 0.02, `mean gap ${mean} ns, expected 5e6`);
  t.ok(Math.abs(sd / mean - 1) < 0.02, `coefficient of variation ${sd / mean}, exponential has 1`);
  t.ok(gaps.every((g) => g >= 0), 'ascending');
  // P(gap > mean) = 1/e for an exponential distribution
  const over = gaps.filter((g) => g > mean).length / gaps.length;
  t.ok(Math.abs(over - Math.exp(-1)) < 0.01, `share of gaps above the mean ${over}, 1/e expected`);
});

t.test('scheduling continues until both minimums hold and stops at either maximum', async (t) => {
  const long = poissonSchedule({ ...base, minQueryCount: 10 });
  t.ok(long[long.length - 1]! >= 1e9 && long[long.length - 2]! < 1e9, 'the last arrival is the first at or past min_duration');
  const many = poissonSchedule({ ...base, minDurationMs: 10, minQueryCount: 300 });
  t.equal(many.length, 300, 'min_query_count beyond min_duration');
  t.equal(poissonSchedule({ ...base, maxQueryCount: 50 }).length, 50, 'max_query_count caps');
  const capped = poissonSchedule({ ...base, minQueryCount: 1000, maxDurationMs: 1000 });
  t.ok(capped[capped.length - 1]! < 1e9, 'nothing scheduled at or past max_duration');
});

import t from 'tap';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from '../metrics/helpers.js';
import { earlyStoppingEstimate, minPassingQueries } from '../../lib/loadgen/early-stopping.js';

// The figures a run reports must be reproducible by anyone from the raw per-query samples it exports. This test
// recomputes them with its own code (a plain sort and LoadGen's formulas), not the library's helpers.
const PCTS: Array<[string, number]> = [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p97', 0.97], ['p99', 0.99], ['p999', 0.999]];
function figures(raw: number[]): Record<string, number> {
  const s = [...raw].sort((a, b) => a - b);
  const out: Record<string, number> = { count: s.length, min: s[0]!, max: s[s.length - 1]!, mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length) };
  for (const [k, p] of PCTS) out[k] = s[Math.floor(s.length * p)]!;
  return out;
}

t.test('Server: percentiles, lateness and early stopping recomputed from the exported raw samples', async (t) => {
  const session = new Session(CLS, { enable_metrics: true, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const r = await session.runBenchmark({ scenario: 'Server', target_qps: 100, target_latency: 50, min_duration: 1500, min_query_count: 120, emitWarnings: false });
  const file = join(mkdtempSync(join(tmpdir(), 'qaic-lg-')), 'run.json');
  session.exportMetrics(file);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { benchmark: { loadgen: Record<string, any> } };
  const l = doc.benchmark.loadgen;
  t.equal(l.scenario, 'Server');
  t.equal(l.raw.latency_ns.length, l.queries, 'one raw latency per query');
  t.ok(l.queries >= 120, 'min_query_count scheduled');
  const mine = figures(l.raw.latency_ns);
  for (const k of ['count', 'min', 'max', 'mean', 'p50', 'p90', 'p95', 'p97', 'p99', 'p999']) t.equal(l.latency_ns[k], mine[k], `latency_ns.${k}`);
  t.equal(l.percentile_latency_ns, mine.p99, 'the percentile the bound is checked at');
  const late = figures(l.raw.schedule_lateness_ns);
  t.equal(l.schedule_lateness_ns.p99, late.p99, 'lateness p99');
  t.equal(l.schedule_lateness_ns.max, late.max, 'lateness max');
  // Latency runs from the scheduled arrival, so it includes the lateness (issue after schedule, completion after issue).
  t.ok(l.raw.latency_ns.every((v: number, i: number) => v >= l.raw.schedule_lateness_ns[i]), 'every latency includes its lateness');
  t.ok(l.raw.scheduled_ns.every((v: number, i: number, a: number[]) => i === 0 || v >= a[i - 1]!), 'arrivals ascending');
  // early stopping: t = queries over the bound, needs h(t) + t queries
  const over = l.raw.latency_ns.filter((v: number) => v > 50e6).length;
  t.equal(l.early_stopping.overlatency_count, over);
  t.equal(l.early_stopping.queries_needed, minPassingQueries(over, 99) + over);
  t.equal(l.early_stopping.met, l.queries >= minPassingQueries(over, 99) + over);
  const lastScheduled = l.raw.scheduled_ns[l.raw.scheduled_ns.length - 1];
  t.equal(l.scheduled_qps, (l.queries - 1) / (lastScheduled / 1e9), 'scheduled QPS = (n - 1) / last scheduled arrival');
  t.equal(r.inf_completed, l.samples, 'the tuple counts samples');
  t.equal(r[0], r.inf_completed);
  t.ok(l.result === 'VALID' || l.reasons.length > 0, 'INVALID always says why');
  t.same(l.settings.target_latency, 50);
});

t.test('SingleStream: p90 and the early-stopping estimate recomputed from the raw samples', async (t) => {
  const session = new Session(CLS, { onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const r = await session.runBenchmark({ scenario: 'SingleStream', min_duration: 200, min_query_count: 150, emitWarnings: false });
  const l = r.details.loadgen;
  t.ok(l.queries >= 150);
  t.equal(l.schedule_lateness_ns, null, 'no schedule in a closed loop');
  const mine = figures(l.raw.latency_ns);
  t.equal(l.percentile_latency_ns, mine.p90, 'SingleStream reports p90');
  t.equal(l.latency_ns.p99, mine.p99);
  // the estimate from first principles: the largest t with h(t) + t <= n, then sorted[n - t]
  const n = l.queries;
  let tt = 1;
  while (minPassingQueries(tt + 1, 90) + tt + 1 <= n) tt++;
  const sorted = [...l.raw.latency_ns].sort((a, b) => a - b);
  t.equal(l.early_stopping.overlatency_count, tt);
  t.equal(l.early_stopping.estimate_ns, sorted[n - tt], 'estimate = sorted[n - t]');
  t.same(l.early_stopping, earlyStoppingEstimate(Float64Array.from(sorted), 90));
  t.ok(l.checks.early_stopping, `${n} queries are enough for a p90 estimate (64 needed)`);
});

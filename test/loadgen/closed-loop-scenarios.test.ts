import t from 'tap';
import { Session } from '../../lib/session.js';
import type { RunTrace } from '../../lib/runtime/trace.js';
import type { LoadgenDetails, ScenarioResult } from '../../lib/loadgen/scenarios.js';
import { CLS, CLS_SYMBOLS } from '../metrics/helpers.js';

// What each scenario sends when, read from the session's own per-inference timeline (observe()): orderings only.
async function traced(session: Session, fn: () => Promise<unknown>): Promise<RunTrace[]> {
  const traces: RunTrace[] = [];
  const off = session.observe({ onRun: (tr) => traces.push(tr) });
  try {
    await fn();
  } finally {
    off();
  }
  return traces.sort((a, b) => a.callNs - b.callNs);
}

t.test('SingleStream issues the next query only when the last has completed', async (t) => {
  const session = new Session(CLS, { num_activations: 2, aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  let r: ScenarioResult | undefined;
  const traces = (await traced(session, async () => { r = await session.runBenchmark({ scenario: 'SingleStream', min_duration: 0, min_query_count: 30, emitWarnings: false }); }));
  const l = r!.details.loadgen;
  const timed = traces.slice(l.warmup_queries);
  t.equal(l.warmup_queries, 2, 'one warm-up query per activation, excluded');
  t.equal(timed.length, 30);
  t.equal(l.queries, 30);
  t.ok(timed.every((q, i) => i === 0 || q.callNs >= timed[i - 1]!.doneNs), 'never two queries in flight');
});

t.test('MultiStream sends samples_per_query samples together, and a query lasts as long as its slowest sample', async (t) => {
  const session = new Session(CLS, { num_activations: 2, aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  let l!: LoadgenDetails;
  const traces = await traced(session, async () => { l = (await session.runBenchmark({ scenario: 'MultiStream', samples_per_query: 3, min_duration: 0, min_query_count: 12, emitWarnings: false })).details.loadgen; });
  const timed = traces.slice(l.warmup_queries);
  t.equal(l.queries, 12);
  t.equal(l.samples, 36);
  t.equal(timed.length, 36);
  for (let q = 0; q < 12; q++) {
    const group = timed.slice(q * 3, q * 3 + 3);
    const firstDone = Math.min(...group.map((s) => s.doneNs));
    t.ok(group.every((s) => s.callNs <= firstDone), `query ${q}: all 3 samples issued before any completed`);
    if (q > 0) t.ok(group[0]!.callNs >= Math.max(...timed.slice(q * 3 - 3, q * 3).map((s) => s.doneNs)), `query ${q} issued after query ${q - 1} completed`);
    const slowest = Math.max(...group.map((s) => s.doneNs - s.callNs));
    t.ok(l.raw.latency_ns[q] >= slowest, `query ${q}'s latency covers its slowest sample`);
  }
  t.equal(l.settings.target_latency_percentile, 99, 'MultiStream reports p99');
});

t.test('Offline issues every sample at once and reports samples per second', async (t) => {
  const session = new Session(CLS, { num_activations: 2, aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  let r!: ScenarioResult;
  const traces = await traced(session, async () => { r = await session.runBenchmark({ scenario: 'Offline', min_duration: 0, min_query_count: 40, emitWarnings: false }); });
  const l = r.details.loadgen;
  const timed = traces.slice(l.warmup_queries);
  t.equal(l.samples, 40, 'max(min_query_count, 1.1 x min_duration x target_qps) samples');
  t.equal(timed.length, 40);
  const firstDone = Math.min(...timed.map((s) => s.doneNs));
  t.ok(timed.every((s) => s.callNs <= firstDone), 'all issued before the first completed');
  t.ok(Math.abs(l.completed_qps - 40 / (l.duration_ms / 1e3)) <= 1e-9 * l.completed_qps, 'samples / the query latency (same figure, computed in another unit order)');
  t.equal(Math.round(l.duration_ms * 1e6), l.latency_ns.max, 'the run lasts as long as its slowest sample');
  t.equal(r.inf_rate, l.samples_per_second, 'the tuple rate is samples per second (batch 1)');
});

t.test('Offline below min_duration is INVALID with LoadGen\'s recommendation', async (t) => {
  const session = new Session(CLS, { onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const l = (await session.runBenchmark({ scenario: 'Offline', min_duration: 60_000, target_qps: 0.1, min_query_count: 5, emitWarnings: false })).details.loadgen;
  t.equal(l.samples, 7, 'ceil(1.1 x 60 s x 0.1/s) = 7 samples');
  t.equal(l.result, 'INVALID');
  t.match(l.reasons[0], /min_duration not met: .* min_duration is 60000 ms/);
  t.match(l.recommendations[0], /Increase expected QPS/);
});

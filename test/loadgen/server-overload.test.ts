import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel } from '../fixtures/models.js';

// Overload a Server run far above what the session can serve. An open loop keeps sending at the scheduled
// arrivals, so the queue, and with it each query's latency from its scheduled arrival, grows with every query:
// a longer run has a higher p99. A closed loop would wait for each completion and show a flat latency instead.
// Only directions are asserted, with a 30x overload factor and runs 4x apart in length: never a timing threshold.
t.test('an overloaded Server run is INVALID naming the bound, and its p99 grows with the run length', async (t) => {
  const session = new Session(slowModel(4), { num_activations: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const ss = await session.runBenchmark({ scenario: 'SingleStream', min_duration: 0, min_query_count: 10, emitWarnings: false });
  const serviceNs = ss.details.loadgen.latency_ns.p50;
  const capacity = 1e9 / serviceNs;
  const targetLatencyMs = (3 * serviceNs) / 1e6;
  const run = (queries: number) => session.runBenchmark({
    scenario: 'Server', target_qps: 30 * capacity, target_latency: targetLatencyMs, min_duration: 0,
    min_query_count: queries, max_query_count: queries, emitWarnings: false,
  });
  const short = (await run(20)).details.loadgen;
  const long = (await run(80)).details.loadgen;
  t.equal(long.queries, 80);
  t.equal(long.result, 'INVALID');
  t.ok(long.reasons.some((r) => /p99 latency .* exceeds target_latency/.test(r)), `a reason names the latency bound: ${long.reasons.join(' | ')}`);
  t.equal(long.checks.performance_constraints, false);
  t.equal(short.result, 'INVALID');
  t.ok(long.latency_ns.p99 > short.latency_ns.p99, `p99 grows with the run: ${short.latency_ns.p99} ns over 20 queries, ${long.latency_ns.p99} ns over 80`);
  // Within the long run, the last quarter waited behind the first three: later queries are slower.
  const raw = long.raw.latency_ns;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  t.ok(median(raw.slice(60)) > median(raw.slice(0, 20)), 'the latency grows along the run (queueing, not service time)');
  t.ok(long.completed_qps < long.scheduled_qps, 'completions fall behind the schedule');
});

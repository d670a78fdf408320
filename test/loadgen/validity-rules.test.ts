import t from 'tap';
import { judge } from '../../lib/loadgen/validity.js';
import { resolveScenarioSettings } from '../../lib/loadgen/settings.js';

const server = resolveScenarioSettings('t', { scenario: 'Server', target_qps: 100, target_latency: 15, min_duration: 1000 }, 'm.onnx');
const okES = { met: true, percentile: 99, confidence: 0.99, queries: 1000, queries_needed: 459, overlatency_count: 0 };

t.test('a run that meets every rule is VALID', async (t) => {
  const v = judge({ settings: server, durationMs: 1200, queries: 1000, percentileLatencyNs: 14e6, earlyStopping: okES, p99LatenessNs: 2e5 });
  t.same(v, { result: 'VALID', reasons: [], recommendations: [], checks: { min_duration: true, min_queries: true, performance_constraints: true, early_stopping: true, schedule_lateness: true } });
});

t.test('each broken rule is one reason naming its setting or bound', async (t) => {
  const v = judge({
    settings: server, durationMs: 900, queries: 90, percentileLatencyNs: 16e6,
    earlyStopping: { ...okES, met: false, queries: 90, queries_needed: 1200, overlatency_count: 5 }, p99LatenessNs: 1.5e6,
  });
  t.equal(v.result, 'INVALID');
  t.match(v.reasons[0], /min_duration not met: the run lasted 900 ms, min_duration is 1000 ms/);
  t.match(v.reasons[1], /min_query_count not met: 90 queries completed, min_query_count is 100/);
  t.match(v.reasons[2], /p99 latency 16\.000 ms exceeds target_latency 15 ms/);
  t.match(v.reasons[3], /early stopping not met: 5 of 90 queries exceeded target_latency 15 ms; .* needs 1200 queries/);
  t.match(v.reasons[4], /p99 schedule lateness 1\.500 ms is above 1\.000 ms/);
  t.equal(v.recommendations.length, 5);
  t.match(v.recommendations[2], /Reduce target QPS/);
  t.same(Object.values(v.checks), [false, false, false, false, false]);
});

t.test('the latency bound and lateness apply to Server only', async (t) => {
  const ss = resolveScenarioSettings('t', { scenario: 'SingleStream', min_duration: 0, min_query_count: 1 }, 'm.onnx');
  const v = judge({ settings: ss, durationMs: 1, queries: 10, percentileLatencyNs: 1e12, earlyStopping: { ...okES, percentile: 90, met: false, queries: 10, queries_needed: 64 } });
  t.same(v.reasons, ['early stopping not met: 10 queries are too few for a p90 estimate at 99 % confidence (needs at least 64)']);
});

t.test('max_schedule_lateness moves the lateness bound, and the reason names it', async (t) => {
  const relaxed = resolveScenarioSettings('t', { scenario: 'Server', target_qps: 100, target_latency: 15, min_duration: 1000, max_schedule_lateness: 5 }, 'm.onnx');
  const facts = { durationMs: 1200, queries: 1000, percentileLatencyNs: 14e6, earlyStopping: okES };
  t.equal(judge({ ...facts, settings: relaxed, p99LatenessNs: 4.9e6 }).result, 'VALID', '4.9 ms is within a 5 ms bound');
  const late = judge({ ...facts, settings: relaxed, p99LatenessNs: 5.1e6 });
  t.equal(late.result, 'INVALID');
  t.match(late.reasons[0], /p99 schedule lateness 5\.100 ms is above 5\.000 ms \(max_schedule_lateness\)/);
  t.equal(judge({ ...facts, settings: server, p99LatenessNs: 1.1e6 }).result, 'INVALID', 'the default stays 1 ms');
  t.throws(() => resolveScenarioSettings('t', { scenario: 'Server', max_schedule_lateness: 0 }, 'm.onnx'), { code: 'QAIC_INVALID_ARGUMENT', message: /max_schedule_lateness.*positive number of milliseconds/ });
});

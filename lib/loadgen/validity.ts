/**
 * LoadGen's verdict: a run is VALID only if every rule holds; each rule that fails is one reason, in words, naming
 * the setting or bound it broke, with a recommendation as LoadGen prints them.
 *
 * Rules: minimum duration; minimum query count (LoadGen's detail log always checks it, its summary only with
 * `enforce_max_duration`: this library always checks it); Server: the latency at `target_latency_percentile` within
 * `target_latency`; early stopping; Server: the load generator's own p99 lateness within `max_schedule_lateness`
 * (default {@link MAX_P99_LATENESS_NS}; not a LoadGen rule: LoadGen's C++ issuer is trusted, a JavaScript one must prove it kept
 * the schedule).
 */
import type { EarlyStoppingResult } from './early-stopping.js';
import type { ResolvedScenarioSettings } from './settings.js';

/**
 * The default bound on a Server run's p99 schedule lateness, ns (1 ms): above it the run is INVALID, the generator did
 * not make the load it reports. The one place the default is written: `max_schedule_lateness`'s default (ms), the
 * warning about a raised bound and qaic-runner's help derive from it, and {@link judge} applies the setting.
 */
export const MAX_P99_LATENESS_NS = 1_000_000;

/** What the verdict is computed from. */
export interface ValidityFacts {
  /** the settings the run used */
  settings: ResolvedScenarioSettings;
  /** the run's length in ms (Offline: its one query's latency) */
  durationMs: number;
  /** queries completed (Offline: samples) */
  queries: number;
  /** Server: the latency (ns) at `target_latency_percentile` */
  percentileLatencyNs: number;
  /** the early-stopping result */
  earlyStopping: EarlyStoppingResult;
  /** Server: the p99 of schedule lateness, ns */
  p99LatenessNs?: number;
}

/** The verdict. */
export interface Verdict {
  /** `'VALID'` when every rule held */
  result: 'VALID' | 'INVALID';
  /** each failed rule, in words */
  reasons: string[];
  /** what to change, one line per failed rule (LoadGen's "Recommendations") */
  recommendations: string[];
  /** each rule and whether it held (the summary's "satisfied" lines) */
  checks: ValidityChecks;
}

/** Each rule and whether it held. */
export interface ValidityChecks {
  /** the run lasted at least `min_duration` */
  min_duration: boolean;
  /** the run completed at least `min_query_count` queries (Offline: samples) */
  min_queries: boolean;
  /** Server: the latency at the percentile was within `target_latency` (always true elsewhere) */
  performance_constraints: boolean;
  /** the early-stopping rule held */
  early_stopping: boolean;
  /** Server: p99 schedule lateness within `max_schedule_lateness` (1 ms by default; always true elsewhere) */
  schedule_lateness: boolean;
}

const msText = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;

/** Apply LoadGen's rules (and the lateness rule for Server). */
export function judge(f: ValidityFacts): Verdict {
  const s = f.settings;
  const reasons: string[] = [];
  const recommendations: string[] = [];
  const checks: ValidityChecks = { min_duration: true, min_queries: true, performance_constraints: true, early_stopping: true, schedule_lateness: true };
  if (f.durationMs < s.min_duration) {
    checks.min_duration = false;
    reasons.push(`min_duration not met: the run lasted ${f.durationMs.toFixed(0)} ms, min_duration is ${s.min_duration} ms`);
    recommendations.push(s.scenario === 'Offline'
      ? 'Increase expected QPS (target_qps) so the loadgen pre-generates a larger query.'
      : s.scenario === 'Server' ? 'Increase the run length (min_duration) or check that target_qps is reachable.' : 'Decrease the expected latency so the loadgen issues more queries, or lower min_duration.');
  }
  if (f.queries < s.min_query_count) {
    checks.min_queries = false;
    reasons.push(`min_query_count not met: ${f.queries} ${s.scenario === 'Offline' ? 'samples' : 'queries'} completed, min_query_count is ${s.min_query_count}`);
    recommendations.push('Increase max_duration/max_query_count (or remove them) so the run can reach min_query_count.');
  }
  if (s.scenario === 'Server' && f.percentileLatencyNs > s.target_latency * 1e6) {
    checks.performance_constraints = false;
    reasons.push(`latency bound not met: p${s.target_latency_percentile} latency ${msText(f.percentileLatencyNs)} exceeds target_latency ${s.target_latency} ms`);
    recommendations.push('Reduce target QPS to improve latency.');
  }
  const es = f.earlyStopping;
  if (!es.met) {
    checks.early_stopping = false;
    if (s.scenario === 'Server') {
      reasons.push(`early stopping not met: ${es.overlatency_count} of ${es.queries} queries exceeded target_latency ${s.target_latency} ms; proving p${es.percentile} within it at ${es.confidence * 100} % confidence needs ${es.queries_needed} queries`);
      recommendations.push('Reduce target QPS, or run longer (min_query_count) so early stopping can be met.');
    } else {
      reasons.push(`early stopping not met: ${es.queries} queries are too few for a p${es.percentile} estimate at ${es.confidence * 100} % confidence (needs at least ${es.queries_needed})`);
      recommendations.push(`Run at least ${es.queries_needed} queries (min_query_count).`);
    }
  }
  const maxLatenessNs = s.max_schedule_lateness * 1e6;
  if (f.p99LatenessNs !== undefined && f.p99LatenessNs > maxLatenessNs) {
    checks.schedule_lateness = false;
    reasons.push(`the load generator fell behind its schedule: p99 schedule lateness ${msText(f.p99LatenessNs)} is above ${msText(maxLatenessNs)} (max_schedule_lateness), so the load was not the one requested`);
    recommendations.push('Free the machine (other load delays the issuing thread), lower target_qps, or, knowing the load was late, raise max_schedule_lateness.');
  }
  return { result: reasons.length === 0 ? 'VALID' : 'INVALID', reasons, recommendations, checks };
}

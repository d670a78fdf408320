/**
 * A LoadGen-style results summary (the layout of LoadGen's `mlperf_log_summary.txt`): the headline figure, the
 * verdict with each rule, early stopping, additional stats in ns, and the settings used. It says it is not an MLPerf
 * submission: the rules are LoadGen's, the run is not audited.
 */
import { LOADGEN_PERCENTILES } from './latency.js';
import type { LoadgenDetails } from './scenarios.js';
import type { PeakResult } from './find-peak.js';
import { SETTING_KEYS } from './settings.js';

const BAR = '================================================';
const yesNo = (b: boolean): string => (b ? 'Yes' : 'NO');
const pct = (p: number): string => (p * 100).toFixed(2);

function row(label: string, value: string | number, width = 38): string {
  return `${label.padEnd(width)}: ${value}`;
}

/** The headline line: what the scenario's result is. */
export function headline(l: LoadgenDetails): string {
  switch (l.scenario) {
    case 'SingleStream':
    case 'MultiStream':
      return l.early_stopping.estimate_ns !== undefined
        ? row(`${l.early_stopping.percentile}th percentile latency (ns)`, l.percentile_latency_ns)
        : row(`${l.settings.target_latency_percentile}th percentile latency (ns)`, l.percentile_latency_ns);
    case 'Server':
      return row('Completed samples per second', l.samples_per_second.toFixed(2));
    case 'Offline':
      return row('Samples per second', l.samples_per_second.toFixed(2));
  }
}

/** The summary's lines. */
export function formatLoadgenSummary(l: LoadgenDetails): string[] {
  const lines = [
    BAR,
    'LoadGen-style Results Summary (qaic; LoadGen rules, not an audited MLPerf submission)',
    BAR,
    row('Scenario', l.scenario),
    row('Mode', 'PerformanceOnly'),
    row('Load', l.load),
    headline(l),
    row('Result is', l.result),
    row('  Min duration satisfied', yesNo(l.checks.min_duration)),
    row('  Min queries satisfied', yesNo(l.checks.min_queries)),
  ];
  if (l.scenario === 'Server') {
    lines.push(row('  Performance constraints satisfied', yesNo(l.checks.performance_constraints)));
    lines.push(row(`  Schedule lateness p99 <= ${l.settings.max_schedule_lateness} ms`, yesNo(l.checks.schedule_lateness)));
  }
  if (l.scenario !== 'Offline') lines.push(row('  Early stopping satisfied', yesNo(l.checks.early_stopping)));
  if (l.reasons.length > 0) {
    lines.push('Reasons:');
    for (const r of l.reasons) lines.push(` * ${r}`);
    lines.push('Recommendations:');
    for (const r of l.recommendations) lines.push(` * ${r}`);
  }
  const es = l.early_stopping;
  if (l.scenario !== 'Offline') {
    lines.push('Early Stopping Result:');
    if (l.scenario === 'Server') {
      lines.push(` * ${es.met ? 'Run successful' : 'Run unsuccessful'}: ${es.overlatency_count} of ${es.queries} queries over target_latency; ${es.queries_needed} queries needed at ${es.confidence * 100} % confidence.`);
    } else if (es.estimate_ns !== undefined) {
      lines.push(` * Processed at least ${es.queries_needed} queries (${es.queries}).`);
      lines.push(` * Would discard ${es.overlatency_count - 1} highest latency queries.`);
      lines.push(` * Early stopping ${es.percentile}th percentile estimate: ${es.estimate_ns}`);
    } else {
      lines.push(` * Not enough queries processed for early stopping estimate (would need to process at least ${es.queries_needed} total queries).`);
    }
  }
  lines.push('', BAR, 'Additional Stats', BAR);
  if (l.scenario === 'Server') {
    lines.push(row('Scheduled samples per second', l.scheduled_qps.toFixed(2)));
  } else if (l.scenario !== 'Offline') {
    lines.push(row('QPS w/ loadgen overhead', l.scheduled_qps.toFixed(2)));
    lines.push(row('QPS w/o loadgen overhead', l.latency_ns.mean > 0 ? (1e9 / l.latency_ns.mean).toFixed(2) : '0'));
  }
  lines.push(row('Queries / samples', `${l.queries} / ${l.samples}`));
  lines.push(row('Duration (ms)', l.duration_ms.toFixed(1)));
  lines.push('');
  lines.push(row('Min latency (ns)', l.latency_ns.min));
  lines.push(row('Max latency (ns)', l.latency_ns.max));
  lines.push(row('Mean latency (ns)', l.latency_ns.mean));
  for (const { key, p } of LOADGEN_PERCENTILES) lines.push(row(`${pct(p)} percentile latency (ns)`, l.latency_ns[key]));
  if (l.schedule_lateness_ns !== null) {
    const s = l.schedule_lateness_ns;
    lines.push('');
    lines.push(row('Schedule lateness p50/p99/max (ns)', `${s.p50} / ${s.p99} / ${s.max}`));
  }
  lines.push('', BAR, 'Test Parameters Used', BAR);
  for (const k of SETTING_KEYS) lines.push(row(k, `${l.settings[k]}${l.settings_sources[k] === 'default' ? '' : ` (${l.settings_sources[k]})`}`));
  if (l.settings.settings_path !== undefined) lines.push(row('settings_path', l.settings.settings_path));
  for (const w of l.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}

/** The FindPeak table: one line per trial, then the answer. */
export function formatPeakSummary(peak: PeakResult, percentile: number): string[] {
  const lines = [BAR, 'FindPeakPerformance (Server, bisection)', BAR, `${'target_qps'.padStart(12)} ${'result'.padEnd(8)} ${'completed_qps'.padStart(14)} ${`p${percentile} (ms)`.padStart(12)} ${'p99 late (ms)'.padStart(14)}  reason`];
  for (const t of peak.trials) {
    lines.push(`${t.target_qps.toFixed(2).padStart(12)} ${t.result.padEnd(8)} ${t.completed_qps.toFixed(2).padStart(14)} ${(t.percentile_latency_ns / 1e6).toFixed(3).padStart(12)} ${(t.p99_lateness_ns / 1e6).toFixed(3).padStart(14)}  ${t.reasons[0] ?? ''}`);
  }
  lines.push(peak.target_qps > 0 ? `Peak: target_qps ${peak.target_qps.toFixed(2)} is the highest VALID rate tried` : 'Peak: no rate tried was VALID');
  return lines;
}

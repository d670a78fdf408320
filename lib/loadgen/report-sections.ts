/**
 * The LoadGen part of the HTML run report: headline figures, the verdict with its reasons, latency and lateness in
 * LoadGen's terms, the settings used, and the FindPeak trials.
 */
import type { Cell } from '../report/table.js';
import type { ReportTable } from '../report/html-report.js';
import { LOADGEN_PERCENTILES } from './latency.js';
import type { LoadgenDetails } from './scenarios.js';
import type { PeakResult } from './find-peak.js';
import { SETTING_KEYS } from './settings.js';

const ms = (ns: number): number => ns / 1e6;

/** Summary cells and tables for a scenario result and/or a FindPeak search. */
export function loadgenReportSections(l: LoadgenDetails | undefined, peak?: PeakResult): { summary: Array<[string, Cell]>; tables: ReportTable[]; notes: string[] } {
  const summary: Array<[string, Cell]> = [];
  const tables: ReportTable[] = [];
  const notes: string[] = [];
  if (peak !== undefined) {
    summary.push(['FindPeak target_qps', peak.target_qps > 0 ? peak.target_qps : 'none VALID']);
    tables.push({
      heading: 'FindPeak trials (Server, bisection)',
      columns: ['target_qps', 'result', 'completed_qps', 'percentile latency (ms)', 'p99 lateness (ms)', 'queries', 'first reason'],
      rows: peak.trials.map((t) => [t.target_qps, t.result, t.completed_qps, ms(t.percentile_latency_ns), ms(t.p99_lateness_ns), t.queries, t.reasons[0] ?? '']),
    });
  }
  if (l === undefined) return { summary, tables, notes };
  const p = l.settings.target_latency_percentile;
  summary.push(['LoadGen scenario', l.scenario], ['LoadGen result', l.result]);
  if (l.scenario === 'Server' || l.scenario === 'Offline') summary.push(['samples/s (completed)', l.samples_per_second]);
  if (l.scenario === 'Server') summary.push(['scheduled QPS', l.scheduled_qps], ['p99 schedule lateness (ms)', ms(l.schedule_lateness_ns?.p99 ?? 0)]);
  summary.push([`p${p} latency (ms)`, ms(l.percentile_latency_ns)]);
  if (l.early_stopping.estimate_ns !== undefined) summary.push([`early-stopping p${p} estimate (ms)`, ms(l.early_stopping.estimate_ns)]);
  tables.push({
    heading: `LoadGen verdict (${l.scenario}): ${l.result}`,
    columns: ['rule', 'satisfied'],
    rows: [
      ['min duration', l.checks.min_duration ? 'yes' : 'NO'],
      ['min queries', l.checks.min_queries ? 'yes' : 'NO'],
      ...(l.scenario === 'Server' ? [['latency bound at the percentile', l.checks.performance_constraints ? 'yes' : 'NO'], [`p99 schedule lateness <= ${l.settings.max_schedule_lateness} ms`, l.checks.schedule_lateness ? 'yes' : 'NO']] as Cell[][] : []),
      ...(l.scenario === 'Offline' ? [] : [['early stopping', l.checks.early_stopping ? 'yes' : 'NO']] as Cell[][]),
      ...l.reasons.map((r, i) => [`reason ${i + 1}`, r]),
      ...l.recommendations.map((r, i) => [`recommendation ${i + 1}`, r]),
    ],
  });
  const lat = l.latency_ns;
  const late = l.schedule_lateness_ns;
  tables.push({
    heading: `LoadGen latency (${l.load})`,
    columns: ['figure', 'latency (ms)', ...(late === null ? [] : ['schedule lateness (ms)'])],
    rows: [
      ['min', ms(lat.min), ...(late === null ? [] : [ms(late.min)])],
      ['mean', ms(lat.mean), ...(late === null ? [] : [ms(late.mean)])],
      ...LOADGEN_PERCENTILES.map(({ key, p: q }) => [`${(q * 100).toFixed(1)} %`, ms(lat[key]), ...(late === null ? [] : [ms(late[key])])] as Cell[]),
      ['max', ms(lat.max), ...(late === null ? [] : [ms(late.max)])],
    ],
  });
  const es = l.early_stopping;
  tables.push({
    heading: 'LoadGen early stopping',
    columns: ['figure', 'value'],
    rows: [['percentile', `p${es.percentile}`], ['confidence', es.confidence], ['queries had', es.queries], ['queries needed', es.queries_needed],
      [l.scenario === 'Server' ? 'queries over target_latency' : 't (estimate discards t - 1 slowest)', es.overlatency_count],
      ...(es.estimate_ns === undefined ? [] : [['estimate (ms)', ms(es.estimate_ns)]] as Cell[][]), ['met', es.met ? 'yes' : 'NO']],
  });
  tables.push({
    heading: 'LoadGen settings used',
    columns: ['setting', 'value', 'from'],
    rows: [...SETTING_KEYS.map((k) => [k, l.settings[k], l.settings_sources[k]] as Cell[]), ...(l.settings.settings_path === undefined ? [] : [['settings_path', l.settings.settings_path, '']] as Cell[][])],
  });
  if (l.scenario === 'Server') notes.push('LoadGen figures measure each Server query from its scheduled arrival; latency charts drawn from the metrics histograms measure run() from its call.');
  for (const w of l.warnings) notes.push(w);
  return { summary, tables, notes };
}

/**
 * `qaic-runner`'s LoadGen flags (`--scenario`, `--target-qps`, `--target-latency`, `--settings`, `--find-peak`,
 * ...): from the raw strings the command-line parser collects to the `runBenchmark({ scenario })` arguments, with
 * every rule that involves them. Kept apart from the parser so that the flags move with this module.
 */
import type { QaicError } from '../errors.js';
import { SCENARIOS, type Scenario, type ScenarioArgs, type ScenarioSettings } from './settings.js';

/** The LoadGen flags as the parser stores them (raw strings; `findPeak` a boolean). */
export interface ScenarioFlagValues {
  scenario?: string;
  targetQps?: string;
  targetLatency?: string;
  targetLatencyPercentile?: string;
  minDuration?: string;
  maxDuration?: string;
  minQueryCount?: string;
  maxQueryCount?: string;
  samplesPerQuery?: string;
  scheduleRngSeed?: string;
  performanceSampleCount?: string;
  maxScheduleLateness?: string;
  settings?: string;
  settingsModel?: string;
  findPeak?: boolean;
  numIter?: number;
  time?: number;
  configure?: string;
}

/** Flag → setting, with the kind of number each takes. */
const NUMERIC_FLAGS: ReadonlyArray<[keyof ScenarioFlagValues, string, keyof ScenarioSettings, 'decimal' | 'integer']> = [
  ['targetQps', '--target-qps', 'target_qps', 'decimal'],
  ['targetLatency', '--target-latency', 'target_latency', 'decimal'],
  ['targetLatencyPercentile', '--target-latency-percentile', 'target_latency_percentile', 'decimal'],
  ['minDuration', '--min-duration', 'min_duration', 'decimal'],
  ['maxDuration', '--max-duration', 'max_duration', 'decimal'],
  ['minQueryCount', '--min-query-count', 'min_query_count', 'integer'],
  ['maxQueryCount', '--max-query-count', 'max_query_count', 'integer'],
  ['samplesPerQuery', '--samples-per-query', 'samples_per_query', 'integer'],
  ['scheduleRngSeed', '--schedule-rng-seed', 'schedule_rng_seed', 'integer'],
  ['performanceSampleCount', '--performance-sample-count', 'performance_sample_count', 'integer'],
  ['maxScheduleLateness', '--max-schedule-lateness', 'max_schedule_lateness', 'decimal'],
];

/**
 * Check the LoadGen flags' combinations and number syntax (ranges are checked by the session, as for the API).
 *
 * @param usageError builds the parser's `QAIC_CLI_USAGE` error
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown scenario, a value that is not a number, a setting without
 *   `--scenario`, `--find-peak` with a scenario other than Server, or `-n`/`--time`/`--configure` with a scenario
 */
export function parseScenarioFlags(v: ScenarioFlagValues, usageError: (message: string, details: Record<string, unknown>) => QaicError): void {
  const active = v.scenario !== undefined || v.findPeak === true;
  if (v.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(v.scenario)) {
    throw usageError(`--scenario expects one of ${SCENARIOS.join(', ')}, got '${v.scenario}'`, { flag: '--scenario' });
  }
  if (v.findPeak === true && v.scenario !== undefined && v.scenario !== 'Server') {
    throw usageError(`--find-peak searches a Server rate; it cannot be combined with --scenario ${v.scenario}`, { flag: '--find-peak' });
  }
  for (const [key, flag, , kind] of NUMERIC_FLAGS) {
    const raw = v[key];
    if (raw === undefined) continue;
    if (!active) throw usageError(`${flag} is a LoadGen setting: give --scenario <name> (or --find-peak) with it`, { flag });
    const ok = kind === 'integer' ? /^\d+$/.test(raw as string) : /^\d+(\.\d+)?$/.test(raw as string);
    if (!ok) throw usageError(`${flag} expects ${kind === 'integer' ? 'a non-negative integer' : 'a non-negative number'}, got '${String(raw)}'`, { flag });
  }
  if (!active && (v.settings !== undefined || v.settingsModel !== undefined)) throw usageError('--settings is read for a LoadGen scenario: give --scenario <name> (or --find-peak) with it', { flag: '--settings' });
  if (active && (v.numIter !== undefined || v.time !== undefined)) {
    throw usageError('-n and --time set the closed-loop benchmark; a LoadGen scenario runs for --min-duration <ms> and --min-query-count <n>', { flag: v.numIter !== undefined ? '-n' : '--time' });
  }
  if (active && v.configure !== undefined) throw usageError('--configure and --scenario/--find-peak are separate runs: give one', { flag: '--configure' });
}

/** The `runBenchmark({ scenario })` arguments the (already checked) flags ask for. */
export function scenarioArgsFromFlags(v: ScenarioFlagValues): ScenarioArgs {
  const out: ScenarioArgs = { scenario: (v.scenario ?? 'Server') as Scenario };
  for (const [key, , setting] of NUMERIC_FLAGS) {
    const raw = v[key];
    if (raw !== undefined) out[setting] = Number(raw);
  }
  if (v.settings !== undefined) out.settings_path = v.settings;
  if (v.settingsModel !== undefined) out.settings_model = v.settingsModel;
  return out;
}

/**
 * LoadGen's test settings: the four scenarios, their setting names, units and struct defaults, and the reader of
 * LoadGen `user.conf`-style files.
 *
 * Names and units are LoadGen's user-facing ones (`TestSettings::FromConfig`): latencies and durations in
 * milliseconds, percentiles in percent. Defaults are LoadGen's `TestSettings` struct defaults (not `mlperf.conf`'s
 * submission values, which a settings file can supply).
 */
import { basename } from 'node:path';
import { QaicError, describeValue } from '../errors.js';
import { readRegularTextFileSync } from '../files.js';
import { closest } from '../options.js';
import type { Inputs } from '../tensor.js';
import { MAX_P99_LATENESS_NS } from './validity.js';

/** The four LoadGen scenarios, as LoadGen spells them. */
export const SCENARIOS = ['SingleStream', 'MultiStream', 'Server', 'Offline'] as const;
/** One of {@link SCENARIOS}. */
export type Scenario = typeof SCENARIOS[number];

/** The LoadGen settings this library runs with; every field has LoadGen's name and user-facing unit. */
export interface ScenarioSettings {
  /** Server: mean arrival rate of the Poisson schedule (queries/s); Offline: expected samples/s used to size the one query; MultiStream: recorded only. LoadGen struct defaults: Server 1, Offline 1, MultiStream 10 */
  target_qps: number;
  /** Server: the latency bound (ms) at `target_latency_percentile`; LoadGen default 100 ms. Recorded only in the other scenarios, which report a percentile instead of checking one */
  target_latency: number;
  /** the percentile (percent) reported and, for Server, bounded: SingleStream 90, MultiStream 99, Server 99, Offline 90 */
  target_latency_percentile: number;
  /** the run lasts at least this long (ms); LoadGen default 10000 */
  min_duration: number;
  /** stop issuing after this long (ms); 0 means no limit (LoadGen default) */
  max_duration: number;
  /** at least this many queries (Offline: samples); LoadGen default 100 */
  min_query_count: number;
  /** at most this many queries (Offline: samples); 0 means no limit (LoadGen default) */
  max_query_count: number;
  /** MultiStream: samples per query (LoadGen struct default 4; `mlperf.conf` uses 8); 1 in every other scenario */
  samples_per_query: number;
  /** seed of the Server arrival schedule (LoadGen default 0): the same seed gives the same schedule */
  schedule_rng_seed: number;
  /** distinct input sets, cycled through in query order (default: the number of input sets given, or 4 random sets) */
  performance_sample_count: number;
  /**
   * Server: the highest p99 schedule lateness (ms) a VALID run may have; default 1. Not a LoadGen setting (LoadGen
   * assumes its issue thread keeps time): a qaic extension. Raising it lets a run on a machine whose scheduler wakes
   * threads late (a small shared VM) be VALID; the result then says the bound was raised, in its warnings
   */
  max_schedule_lateness: number;
}

/** Arguments of `runBenchmark({ scenario, ... })` and `findPeak()`: LoadGen's settings plus where they come from. */
export interface ScenarioArgs extends Partial<ScenarioSettings> {
  /** the scenario to run */
  scenario: Scenario;
  /** a LoadGen `user.conf`-style file (`model.scenario.key = value`); settings given here in code win over it */
  settings_path?: string;
  /** the model name matched by the settings file's first field (default: the model file's name without `.onnx`) */
  settings_model?: string;
  /**
   * inputs: one input set (the forms `run()` takes) or an array of them; cycled through in query order. Random
   * data from the model's input specs when absent
   */
  inputs?: Inputs | Inputs[];
  /** emit the result's warnings with `process.emitWarning` (default true; qaic-runner prints them itself) */
  emitWarnings?: boolean;
}

/** Where each setting's value came from. */
export type SettingSource = 'default' | 'file' | 'argument';

/** Settings after defaults, the settings file and the arguments, with their provenance. */
export interface ResolvedScenarioSettings extends ScenarioSettings {
  /** the scenario */
  scenario: Scenario;
  /** for each setting, where its value came from */
  sources: Record<keyof ScenarioSettings, SettingSource>;
  /** the settings file read, when there was one */
  settings_path?: string;
}

/** The settings in a fixed order: one list drives the resolver, the file reader and the summary. */
export const SETTING_KEYS = [
  'target_qps', 'target_latency', 'target_latency_percentile', 'min_duration', 'max_duration', 'min_query_count', 'max_query_count',
  'samples_per_query', 'schedule_rng_seed', 'performance_sample_count', 'max_schedule_lateness',
] as const satisfies ReadonlyArray<keyof ScenarioSettings>;

/** `max_schedule_lateness`'s default in its unit, ms: {@link MAX_P99_LATENESS_NS}, where the bound is written once. */
export const DEFAULT_MAX_SCHEDULE_LATENESS_MS = MAX_P99_LATENESS_NS / 1e6;

/** LoadGen's struct defaults for `scenario` (performance_sample_count: 4 random sets when no inputs are given). */
export function defaultSettings(scenario: Scenario): ScenarioSettings {
  return {
    target_qps: scenario === 'MultiStream' ? 10 : 1,
    target_latency: 100,
    target_latency_percentile: scenario === 'SingleStream' || scenario === 'Offline' ? 90 : 99,
    min_duration: 10_000,
    max_duration: 0,
    min_query_count: 100,
    max_query_count: 0,
    samples_per_query: scenario === 'MultiStream' ? 4 : 1,
    schedule_rng_seed: 0,
    performance_sample_count: 4,
    max_schedule_lateness: DEFAULT_MAX_SCHEDULE_LATENESS_MS,
  };
}

/**
 * Keys LoadGen's `FromConfig` knows that have no effect here (accuracy logging, QSL sampling, token latencies).
 * A settings file may carry them (real `mlperf.conf` files do): they are reported as ignored, not refused.
 */
const LOADGEN_KEYS_WITHOUT_EFFECT = [
  'qsl_rng_seed', 'sample_index_rng_seed', 'accuracy_log_rng_seed', 'accuracy_log_probability', 'accuracy_log_sampling_target',
  'print_timestamps', 'performance_issue_unique', 'performance_issue_same', 'performance_issue_same_index', 'max_async_queries',
  'test05', 'test05_qsl_rng_seed', 'test05_sample_index_rng_seed', 'test05_schedule_rng_seed', 'use_token_latencies',
  'ttft_latency', 'tpot_latency', 'infer_token_latencies', 'token_latency_scaling_factor', 'sample_concatenate_permutation',
  'server_coalesce_queries', 'server_find_peak_qps_decimals_of_precision', 'server_find_peak_qps_boundary_step_size',
  'server_max_async_queries', 'server_num_issue_query_threads', 'enforce_max_duration',
];

/** LoadGen file keys that name one of our settings differently. */
const FILE_ALIASES: Record<string, keyof ScenarioSettings> = {
  performance_sample_count_override: 'performance_sample_count',
  multi_stream_samples_per_query: 'samples_per_query',
};

const FILE_KEYS = [...SETTING_KEYS, ...Object.keys(FILE_ALIASES)];

/** One `model.scenario.key = value` line of a settings file. */
export interface SettingsLine {
  /** the model field (`*` for any) */
  model: string;
  /** the scenario field (`*` for any) */
  scenario: string;
  /** the key as written */
  key: string;
  /** the number */
  value: number;
  /** 1-based line number */
  line: number;
}

/** A parsed settings file. */
export interface SettingsFile {
  /** every setting line, in file order */
  lines: SettingsLine[];
  /** keys LoadGen knows that have no effect here, as written */
  ignored: string[];
}

function fileError(file: string, line: number, message: string): QaicError {
  return new QaicError('QAIC_INVALID_OPTION', `settings file '${file}', line ${line}: ${message}`, { details: { option: 'settings_path', file, line } });
}

/**
 * Parse a LoadGen `user.conf`/`mlperf.conf`-style text: `model.scenario.key = value` per line, `#` starts a comment,
 * `*` matches any model or scenario, values are integers or decimals (as LoadGen, which answers `-EINVAL` otherwise).
 *
 * @param file names the file in errors
 * @throws QaicError `QAIC_INVALID_OPTION` naming the file and line for a malformed line, an unknown scenario, an
 *   unknown key (with the closest known one) or a value that is not a number
 */
export function parseSettingsText(text: string, file = 'settings'): SettingsFile {
  const lines: SettingsLine[] = [];
  const ignored = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/#.*/, '').trim();
    if (content === '') return;
    const eq = content.indexOf('=');
    if (eq < 0) throw fileError(file, line, `expected 'model.scenario.key = value', got '${content}'`);
    // Split from the right: model names may hold dots (ch_ppocr_mobile_v2.0_cls_infer), and LoadGen matches the
    // whole 'model.scenario.key' string, so they work there too.
    const path = content.slice(0, eq).trim().split('.');
    const valueText = content.slice(eq + 1).trim();
    if (path.length < 3 || path.some((p) => p === '')) throw fileError(file, line, `expected 'model.scenario.key' before '=', got '${content.slice(0, eq).trim()}'`);
    const key = path.pop()!;
    const scenario = path.pop()!;
    const model = path.join('.');
    if (scenario !== '*' && !(SCENARIOS as readonly string[]).includes(scenario)) {
      throw fileError(file, line, `unknown scenario '${scenario}': expected one of ${SCENARIOS.join(', ')} or '*'`);
    }
    if (LOADGEN_KEYS_WITHOUT_EFFECT.includes(key)) {
      ignored.add(key);
      return;
    }
    if (!FILE_KEYS.includes(key)) {
      const near = closest(key, FILE_KEYS);
      throw fileError(file, line, `unknown setting '${key}'${near === undefined ? '' : `; did you mean '${near}'?`} (known: ${FILE_KEYS.join(', ')})`);
    }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(valueText)) throw fileError(file, line, `'${key}' must be an integer or a decimal number, got '${valueText}'`);
    lines.push({ model, scenario, key, value: Number(valueText), line });
  });
  return { lines, ignored: [...ignored] };
}

/**
 * The values a settings file gives `model` in `scenario`, with LoadGen's lookup order: `model.scenario` over
 * `*.scenario` over `model.*` over `*.*`; within one level a later line wins.
 */
export function lookupSettings(parsed: SettingsFile, model: string, scenario: Scenario): Partial<ScenarioSettings> {
  const rank = (l: SettingsLine): number => {
    if (l.model === model && l.scenario === scenario) return 4;
    if (l.model === '*' && l.scenario === scenario) return 3;
    if (l.model === model && l.scenario === '*') return 2;
    if (l.model === '*' && l.scenario === '*') return 1;
    return 0;
  };
  const best = new Map<keyof ScenarioSettings, { rank: number; value: number }>();
  for (const l of parsed.lines) {
    const r = rank(l);
    if (r === 0) continue;
    const key = FILE_ALIASES[l.key] ?? (l.key as keyof ScenarioSettings);
    const held = best.get(key);
    if (held === undefined || r >= held.rank) best.set(key, { rank: r, value: l.value });
  }
  return Object.fromEntries([...best].map(([k, v]) => [k, v.value])) as Partial<ScenarioSettings>;
}

/** Read and parse a settings file through the library's one reader of untrusted files (at most 1 MiB). */
export function readSettingsFile(path: string): SettingsFile {
  const text = readRegularTextFileSync(path, { what: 'settings file', maxBytes: 1 << 20 });
  return parseSettingsText(text, path);
}

/** The default `settings_model` for a model path: its file name without `.onnx` (`det.onnx` → `det`). */
export function modelNameFor(modelPath: string): string {
  return basename(modelPath).replace(/\.onnx$/i, '');
}

const KNOWN_ARGS = new Set<string>(['scenario', 'settings_path', 'settings_model', 'inputs', 'emitWarnings', ...SETTING_KEYS]);

function bad(method: string, argument: string, expected: string, given: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', `${method}: '${argument}' must be ${expected}, got ${describeValue(given)}`, { details: { argument } });
}

/** Check one setting's value, from the arguments or a file (`where` names it in the message). */
function checkSetting(method: string, key: keyof ScenarioSettings, value: unknown, where: string): number {
  const v = value as number;
  const ok = (cond: boolean, expected: string): number => {
    if (!cond) throw bad(method, key, `${expected}${where}`, value);
    return v;
  };
  const isNum = typeof value === 'number' && Number.isFinite(value);
  switch (key) {
    case 'target_qps': return ok(isNum && v > 0, 'a positive number of queries per second');
    case 'target_latency': return ok(isNum && v > 0, 'a positive number of milliseconds');
    case 'target_latency_percentile': return ok(isNum && v > 0 && v < 100, 'a percent above 0 and below 100 (99 for p99)');
    case 'min_duration':
    case 'max_duration': return ok(isNum && v >= 0, 'a non-negative number of milliseconds (0: no limit for max_duration)');
    case 'min_query_count':
    case 'max_query_count': return ok(Number.isSafeInteger(value) && v >= 0, 'a non-negative integer (0: no limit for max_query_count)');
    case 'samples_per_query':
    case 'performance_sample_count': return ok(Number.isSafeInteger(value) && v >= 1, 'a positive integer');
    case 'schedule_rng_seed': return ok(Number.isSafeInteger(value) && v >= 0, 'a non-negative integer');
    case 'max_schedule_lateness': return ok(isNum && v > 0, `a positive number of milliseconds (default ${DEFAULT_MAX_SCHEDULE_LATENESS_MS})`);
  }
}

/**
 * Resolve a scenario's settings: LoadGen's defaults, then the settings file (if any, with LoadGen's lookup order),
 * then the arguments.
 *
 * @param method names the caller in errors (`runBenchmark()`, `findPeak()`)
 * @param modelPath the session's model, for the default `settings_model`
 * @param inputSets how many input sets the caller gave (the default `performance_sample_count`), or 0 for random
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for an unknown argument (naming the closest), an unknown scenario or a
 *   bad value; `QAIC_INVALID_OPTION`/`QAIC_FILE_*` for a bad settings file
 */
export function resolveScenarioSettings(method: string, args: ScenarioArgs, modelPath: string, inputSets = 0): ResolvedScenarioSettings {
  if (typeof args !== 'object' || args === null) throw bad(method, 'arguments', "an object such as { scenario: 'Server', target_qps: 100 }", args);
  const a = args as unknown as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!KNOWN_ARGS.has(key)) {
      const near = closest(key, [...KNOWN_ARGS]);
      throw bad(method, key, `a known argument${near === undefined ? '' : ` (did you mean '${near}'?)`}: one of ${[...KNOWN_ARGS].join(', ')}`, a[key]);
    }
  }
  if (!(SCENARIOS as readonly unknown[]).includes(a.scenario)) throw bad(method, 'scenario', `one of ${SCENARIOS.map((s) => `'${s}'`).join(', ')}`, a.scenario);
  const scenario = a.scenario as Scenario;
  const out = { ...defaultSettings(scenario), scenario } as ResolvedScenarioSettings;
  out.sources = Object.fromEntries(SETTING_KEYS.map((k) => [k, 'default'])) as ResolvedScenarioSettings['sources'];
  if (inputSets > 0) out.performance_sample_count = inputSets;
  if (a.settings_path !== undefined) {
    if (typeof a.settings_path !== 'string' || a.settings_path === '') throw bad(method, 'settings_path', 'a file path', a.settings_path);
    if (a.settings_model !== undefined && (typeof a.settings_model !== 'string' || a.settings_model === '')) throw bad(method, 'settings_model', 'a model name', a.settings_model);
    const file = readSettingsFile(a.settings_path);
    const values = lookupSettings(file, (a.settings_model as string | undefined) ?? modelNameFor(modelPath), scenario);
    for (const [k, v] of Object.entries(values) as Array<[keyof ScenarioSettings, number]>) {
      out[k] = checkSetting(method, k, v, ` (from the settings file '${a.settings_path}')`);
      out.sources[k] = 'file';
    }
    out.settings_path = a.settings_path;
  }
  for (const k of SETTING_KEYS) {
    if (a[k] === undefined) continue;
    out[k] = checkSetting(method, k, a[k], '');
    out.sources[k] = 'argument';
  }
  if (scenario !== 'MultiStream' && out.samples_per_query !== 1) {
    throw bad(method, 'samples_per_query', `1 in the ${scenario} scenario (LoadGen sends one sample per query there; only MultiStream groups samples)`, out.samples_per_query);
  }
  if (out.max_query_count > 0 && out.max_query_count < out.min_query_count) {
    throw bad(method, 'max_query_count', `0 (no limit) or at least min_query_count (${out.min_query_count})`, out.max_query_count);
  }
  if (out.max_duration > 0 && out.max_duration < out.min_duration) {
    throw bad(method, 'max_duration', `0 (no limit) or at least min_duration (${out.min_duration} ms)`, out.max_duration);
  }
  if (a.emitWarnings !== undefined && typeof a.emitWarnings !== 'boolean') throw bad(method, 'emitWarnings', 'a boolean', a.emitWarnings);
  return out;
}

/** The settings a run used, as plain values (no provenance). */
export interface UsedSettings extends ScenarioSettings {
  /** the scenario */
  scenario: Scenario;
  /** the settings file read, when there was one */
  settings_path?: string;
}

/** The settings as plain values (no provenance), as the result and exports carry them. */
export function plainSettings(s: ResolvedScenarioSettings): UsedSettings {
  const out = { scenario: s.scenario, ...Object.fromEntries(SETTING_KEYS.map((k) => [k, s[k]])) } as UsedSettings;
  if (s.settings_path !== undefined) out.settings_path = s.settings_path;
  return out;
}

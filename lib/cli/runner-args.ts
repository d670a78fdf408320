/**
 * The command line of `qaic-runner`, with the SDK's flags (`-t <program>`, `-a`, `-n`, `--time`, `-S`, `-d`,
 * `-i`, ...). Pure: no I/O, so every rule is testable. Flags live in one table ({@link RUNNER_FLAGS}); a new flag is
 * one row there plus its use in `qaic-runner.ts`.
 *
 * Syntax: `-t path`, `-t=path`, `--test-data path` and `--test-data=path` are all accepted, as are the SDK's long
 * names.
 */
import { QaicError } from '../errors.js';
import { closest } from '../options.js';
import { parseScenarioFlags } from '../loadgen/runner-flags.js';

/** Value kinds a flag can take. */
export type FlagKind = 'path' | 'int' | 'seconds' | 'flag' | 'paths' | 'symbol';

/** One row of the flag table. */
export interface FlagSpec {
  /** key in {@link RunnerArgs} */
  key: string;
  /** spellings, e.g. `['-t', '--test-data']` */
  names: readonly string[];
  kind: FlagKind;
  /** inclusive bounds for `int` */
  min?: number;
  max?: number;
  /** metavariable and help text for the usage */
  meta?: string;
  help: string;
}

/** The flags, in usage order. */
export const RUNNER_FLAGS: FlagSpec[] = [
  { key: 'testData', names: ['-t', '--test-data'], kind: 'path', meta: '<path>', help: 'program folder (or programqpc.bin), or an .onnx model (compiled first, into the compile cache)' },
  { key: 'activations', names: ['-a', '--aic-num-of-activations'], kind: 'int', min: 1, max: 1024, meta: '<n>', help: 'activations (default 1)' },
  { key: 'numIter', names: ['-n', '--num-iter'], kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, meta: '<n>', help: 'inferences to run, all activations together (default 40)' },
  { key: 'time', names: ['--time'], kind: 'seconds', meta: '<s>', help: 'run for this many seconds instead of -n' },
  { key: 'setSize', names: ['-S', '--set-size'], kind: 'int', min: 1, max: 100_000, meta: '<n>', help: 'inferences in flight per activation (default 10)' },
  { key: 'device', names: ['-d', '--aic-device-id'], kind: 'int', min: 0, max: 1024, meta: '<id>', help: 'device id (default 0; recorded as dev_id, the CPU backend has one device)' },
  { key: 'inputFiles', names: ['-i', '--input-file'], kind: 'paths', meta: '<path>', help: 'raw binary input, one per model input in input order (repeat); random inputs when absent' },
  { key: 'symbols', names: ['--onnx-define-symbol'], kind: 'symbol', meta: '<name>,<size>', help: 'fix a symbolic dimension of an .onnx model (repeat)' },
  { key: 'cores', names: ['--aic-num-cores'], kind: 'int', min: 1, max: 1024, meta: '<n>', help: 'cores (onnxruntime threads) per activation' },
  { key: 'warmup', names: ['--warmup'], kind: 'int', min: 0, max: 1_000_000, meta: '<n>', help: 'warm-up inferences per activation, excluded (default 1)' },
  { key: 'writeOutputDir', names: ['--write-output-dir'], kind: 'path', meta: '<dir>', help: 'after the run, write one inference\'s outputs there as <output>-activation-<a>-inf-0.bin (the folder must exist)' },
  { key: 'live', names: ['-l', '--live-reporting'], kind: 'flag', help: 'print inferences and rate periodically during the run' },
  { key: 'livePeriod', names: ['-r', '--live-reporting-period'], kind: 'int', min: 10, max: 3_600_000, meta: '<ms>', help: 'live reporting period (default 1000 ms)' },
  { key: 'json', names: ['--json'], kind: 'path', meta: '<file>', help: 'write the JSON metrics document (summary, breakdown, benchmark, environment, options)' },
  { key: 'configure', names: ['--configure'], kind: 'path', meta: 'throughput|latency', help: 'instead of one run, measure every layout of activations x cores x set size (x batch when symbolic) and print the best (3 interleaved rounds of --time s each, default 1)' },
  { key: 'configureOutput', names: ['--configure-output'], kind: 'path', meta: '<file.yaml>', help: 'with --configure: write the best settings as an options YAML' },
  { key: 'report', names: ['--report'], kind: 'path', meta: '<file.html>', help: 'write a self-contained HTML report of the run: summary, latency percentile curve and histograms, throughput over time, environment' },
  // --- LoadGen scenarios (lib/loadgen): values are parsed and checked by parseScenarioFlags() in lib/loadgen/runner-flags.ts ---
  { key: 'scenario', names: ['--scenario'], kind: 'path', meta: 'SingleStream|MultiStream|Server|Offline', help: 'run an MLPerf LoadGen scenario instead of the closed loop: prints a LoadGen-style summary with VALID/INVALID' },
  { key: 'targetQps', names: ['--target-qps'], kind: 'path', meta: '<qps>', help: 'LoadGen target_qps: Server arrival rate (Poisson), Offline expected rate' },
  { key: 'targetLatency', names: ['--target-latency'], kind: 'path', meta: '<ms>', help: 'LoadGen target_latency in ms: the Server latency bound' },
  { key: 'targetLatencyPercentile', names: ['--target-latency-percentile'], kind: 'path', meta: '<percent>', help: 'LoadGen target_latency_percentile in percent (Server default 99)' },
  { key: 'minDuration', names: ['--min-duration'], kind: 'path', meta: '<ms>', help: 'LoadGen min_duration in ms (default 10000)' },
  { key: 'maxDuration', names: ['--max-duration'], kind: 'path', meta: '<ms>', help: 'LoadGen max_duration in ms (default 0: no limit)' },
  { key: 'minQueryCount', names: ['--min-query-count'], kind: 'path', meta: '<n>', help: 'LoadGen min_query_count (default 100)' },
  { key: 'maxQueryCount', names: ['--max-query-count'], kind: 'path', meta: '<n>', help: 'LoadGen max_query_count (default 0: no limit)' },
  { key: 'samplesPerQuery', names: ['--samples-per-query'], kind: 'path', meta: '<n>', help: 'LoadGen samples_per_query (MultiStream, default 4)' },
  { key: 'scheduleRngSeed', names: ['--schedule-rng-seed'], kind: 'path', meta: '<n>', help: 'LoadGen schedule_rng_seed (Server arrivals, default 0)' },
  { key: 'performanceSampleCount', names: ['--performance-sample-count'], kind: 'path', meta: '<n>', help: 'distinct input sets cycled through (default 4 random sets, or the -i files)' },
  { key: 'settings', names: ['--settings'], kind: 'path', meta: '<user.conf>', help: 'LoadGen user.conf-style settings (model.scenario.key = value); flags win over it' },
  { key: 'settingsModel', names: ['--settings-model'], kind: 'path', meta: '<name>', help: 'model name matched in --settings (default: the model file name without .onnx)' },
  { key: 'findPeak', names: ['--find-peak'], kind: 'flag', help: 'search the highest VALID Server --target-qps by bisection (LoadGen FindPeakPerformance) and print the trials' },
  // --- end LoadGen scenarios ---
  { key: 'help', names: ['-h', '--help'], kind: 'flag', help: 'this text' },
];

/** What the command line asks for. Absent keys were not given. */
export interface RunnerArgs {
  testData?: string;
  activations?: number;
  numIter?: number;
  time?: number;
  setSize?: number;
  device?: number;
  inputFiles?: string[];
  symbols?: Array<[string, number]>;
  cores?: number;
  warmup?: number;
  writeOutputDir?: string;
  live?: boolean;
  livePeriod?: number;
  json?: string;
  report?: string;
  configure?: string;
  configureOutput?: string;
  help?: boolean;
  // --- LoadGen scenarios: raw flag values, checked by parseScenarioFlags() ---
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
  settings?: string;
  settingsModel?: string;
  findPeak?: boolean;
  // --- end LoadGen scenarios ---
  [key: string]: unknown;
}

/** The usage text `-h` prints. */
export function runnerUsage(): string {
  const rows = RUNNER_FLAGS.map((f) => [`${f.names.join(', ')}${f.meta === undefined ? '' : ` ${f.meta}`}`, f.help]);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  return [
    'Usage: qaic-runner -t <program dir | model.onnx> [options]',
    '',
    'Benchmark a program on qaic activations (onnxruntime CPU): prints the SDK stats line',
    '(InferenceCnt N TotalDuration Xus BatchSize B Inf/Sec R), then the latency percentiles.',
    '',
    ...rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`),
    '',
    'Exit codes: 0 ran; 1 the program could not be loaded or run, or an input file is unreadable or of the wrong size;',
    '2 bad command line (unknown flag, value out of range, -n with --time, wrong number of -i files).',
  ].join('\n');
}

function usageError(message: string, details: Record<string, unknown> = {}): QaicError {
  return new QaicError('QAIC_CLI_USAGE', `${message} (run 'qaic-runner -h' for usage)`, { details });
}

const BY_NAME = new Map<string, FlagSpec>(RUNNER_FLAGS.flatMap((f) => f.names.map((n) => [n, f] as [string, FlagSpec])));

function parseValue(spec: FlagSpec, flag: string, raw: string): unknown {
  switch (spec.kind) {
    case 'int': {
      if (!/^\d+$/.test(raw)) throw usageError(`${flag} expects an integer from ${spec.min} to ${spec.max}, got '${raw}'`, { flag });
      const v = Number(raw);
      if (v < spec.min! || v > spec.max!) throw usageError(`${flag} must be from ${spec.min} to ${spec.max}, got ${raw}`, { flag });
      return v;
    }
    case 'seconds': {
      const v = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(v > 0)) throw usageError(`${flag} expects a positive number of seconds, got '${raw}'`, { flag });
      return v;
    }
    case 'symbol': {
      const comma = raw.lastIndexOf(',');
      const name = comma > 0 ? raw.slice(0, comma) : '';
      const size = comma > 0 ? raw.slice(comma + 1) : '';
      if (name === '' || !/^\d+$/.test(size) || Number(size) < 1) throw usageError(`${flag} expects <name>,<size> with size >= 1, as in ${flag} batch,1; got '${raw}'`, { flag });
      return [name, Number(size)];
    }
    default:
      if (raw === '') throw usageError(`${flag} needs a non-empty value`, { flag });
      return raw;
  }
}

/**
 * Parse `qaic-runner` arguments (without `node` and the script).
 *
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown flag (naming the nearest one), a missing or out-of-range value,
 *   a repeated single-valued flag, `-n` with `--time`, or no `-t`
 */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const out: RunnerArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = BY_NAME.get(flag);
    if (spec === undefined) {
      if (!arg.startsWith('-')) throw usageError(`unexpected argument '${arg}': every value follows its flag, as in -t <program>`, { argument: arg });
      const suggestion = closest(flag, [...BY_NAME.keys()]);
      throw usageError(`unknown flag '${flag}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`, { flag });
    }
    let value: unknown = true;
    if (spec.kind === 'flag') {
      if (eq > 0) throw usageError(`${flag} takes no value, got '${arg}'`, { flag });
    } else {
      let raw: string | undefined;
      if (eq > 0) raw = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !(BY_NAME.has(argv[i + 1]!) || /^--?[A-Za-z]/.test(argv[i + 1]!))) raw = argv[++i];
      if (raw === undefined) throw usageError(`${flag} needs a value${spec.meta === undefined ? '' : ` ${spec.meta}`}`, { flag });
      value = parseValue(spec, flag, raw);
    }
    if (spec.kind === 'paths' || spec.kind === 'symbol') {
      ((out[spec.key] ??= []) as unknown[]).push(value);
    } else {
      if (out[spec.key] !== undefined) throw usageError(`${flag} is given twice`, { flag });
      out[spec.key] = value;
    }
  }
  if (out.help === true) return out;
  if (out.testData === undefined) throw usageError('no program given: pass -t <program dir or model.onnx>', { flag: '-t' });
  if (out.configure !== undefined && out.configure !== 'throughput' && out.configure !== 'latency') throw usageError(`--configure expects 'throughput' or 'latency', got '${out.configure}'`, { flag: '--configure' });
  if (out.configureOutput !== undefined && out.configure === undefined) throw usageError('--configure-output needs --configure throughput|latency', { flag: '--configure-output' });
  if (out.numIter !== undefined && out.time !== undefined) throw usageError(`give -n (${out.numIter}) or --time (${out.time}), not both`, { flag: '--time' });
  // --- LoadGen scenarios ---
  parseScenarioFlags(out, usageError);
  // --- end LoadGen scenarios ---
  return out;
}

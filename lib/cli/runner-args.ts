/**
 * The command line of `qaic-runner`, with the SDK's flags (`-t <program>`, `-a`, `-n`, `--time`, `-S`, `-d`,
 * `-i`, ...). Flags live in one table ({@link RUNNER_SPEC}) read by the shared parser and help generator; a new
 * flag is one row there plus its use in `qaic-runner.ts`. Pure: no I/O.
 *
 * Syntax: `-t path`, `-t=path`, `--test-data path` and `--test-data=path` are all accepted, as are the SDK's long
 * names.
 */
import { formatHelp, parseFlags, usageError, wantsHelp, type ToolSpec } from './flags.js';
import { parseScenarioFlags, type ScenarioFlagValues } from '../loadgen/runner-flags.js';
import { DEFAULT_MAX_SCHEDULE_LATENESS_MS } from '../loadgen/settings.js';
import type { ComputeUnitName, SessionOptions } from '../options.js';

/** The flag table, description and footer of `qaic-runner`. */
export const RUNNER_SPEC: ToolSpec = {
  tool: 'qaic-runner',
  syntax: 'gnu',
  synopsis: '-t <program dir | model.onnx> [options]',
  description: `Benchmark a program on qaic activations (onnxruntime CPU): prints the SDK stats line
(InferenceCnt N TotalDuration Xus BatchSize B Inf/Sec R), the measured window, then the latency percentiles.`,
  flags: [
    { key: 'testData', names: ['-t', '--test-data'], kind: 'string', meta: '<path>', example: 'model_qpc', help: 'program folder (or programqpc.bin), or an .onnx model (compiled first, into the compile cache)' },
    { key: 'activations', names: ['-a', '--aic-num-of-activations'], kind: 'int', min: 1, max: 1024, meta: '<n>', option: 'num_activations', help: 'activations (default 1)' },
    { key: 'numIter', names: ['-n', '--num-iter'], kind: 'int', min: 1, meta: '<n>', option: 'num_inferences', help: 'inferences to run, all activations together (default 40)' },
    { key: 'time', names: ['--time'], kind: 'seconds', meta: '<s>', option: 'inf_time', help: 'run for this many seconds instead of -n (the window measured is printed)' },
    { key: 'setSize', names: ['-S', '--set-size'], kind: 'int', min: 1, max: 100_000, meta: '<n>', option: 'set_size', help: 'inferences in flight per activation (default 10)' },
    { key: 'device', names: ['-d', '--aic-device-id'], kind: 'int', min: 0, max: 1024, meta: '<id>', option: 'dev_id', help: 'device id (default 0; recorded as dev_id, the CPU backend has one device)' },
    { key: 'graph', names: ['--graph'], kind: 'string', meta: '<name>', example: 'main', option: 'graph', help: "graph of a program of several (a link, or compiled specializations) to benchmark; needed when\ntwo graphs take the same input shapes and dtypes (default: the program's first graph)" },
    { key: 'inputFiles', names: ['-i', '--input-file'], kind: 'string', repeat: true, meta: '<path>', example: 'x.bin', help: 'raw binary input, one per model input in input order (repeat); random inputs when absent' },
    { key: 'symbols', names: ['--onnx-define-symbol'], kind: 'symbol', repeat: true, meta: '<name>,<size>', option: 'onnx_define_symbol', help: 'fix a symbolic dimension of an .onnx model (repeat)' },
    { key: 'cores', names: ['--aic-num-cores'], kind: 'int', min: 1, max: 1024, meta: '<n>', option: 'aic_num_cores', help: 'cores (onnxruntime threads) per activation (default 1)' },
    { key: 'oversubscribe', names: ['--allow-oversubscription'], kind: 'flag', option: 'allow_oversubscription', help: 'allow -a x --aic-num-cores above the machine\'s cores (spin-waiting is then off)' },
    { key: 'activationTimeout', names: ['--activation-timeout-ms'], kind: 'int', min: 1, max: 86_400_000, meta: '<ms>', option: 'activation_timeout_ms', help: 'how long an activation may take to load its graph (default 120000)' },
    { key: 'isolation', names: ['--isolation'], kind: 'choice', choices: ['thread', 'process'], meta: 'thread|process', example: 'process', option: 'isolation', help: "where activations and compiling run (default thread); process: a child process each,\nso a fault inside onnxruntime (SIGFPE) fails that run instead of the tool" },
    { key: 'engine', names: ['--engine'], kind: 'choice', choices: ['native', 'worker'], meta: 'native|worker', example: 'worker', option: 'engine', help: "what runs the activations (default QAIC_ENGINE, else native where it loads);\nnative threads can end a run in flight; worker: onnxruntime-node threads" },
    { key: 'computeUnit', names: ['--compute-unit'], kind: 'list', meta: '<unit,...>', example: 'gpu,cpu', option: 'compute_unit', help: "compute units in fallback order (AI Hub's --compute_unit): cpu (default), gpu,\nnpu, all; a list without cpu is mandatory" },
    { key: 'runTimeout', names: ['--run-timeout'], kind: 'int', min: 0, max: 86_400_000, meta: '<ms>', option: 'run_timeout', help: 'fail an inference that takes longer (QAIC_TIMEOUT; default 0, no limit); with\n--isolation process its activation is killed and replaced' },
    { key: 'warmup', names: ['--warmup'], kind: 'int', min: 0, max: 1_000_000, meta: '<n>', option: 'warmup', help: 'warm-up inferences per activation, excluded (default 1)' },
    { key: 'profiling', names: ['--profiling'], kind: 'flag', option: 'enable_profiling', help: 'profile the run with onnxruntime and print the slowest operators (slows the run;\n--report then adds the per-operator section)' },
    { key: 'writeOutputDir', names: ['--write-output-dir'], kind: 'string', meta: '<dir>', help: 'after the run, write one inference\'s outputs there as <output>-activation-<a>-inf-0.bin (the folder must exist)' },
    { key: 'live', names: ['-l', '--live-reporting'], kind: 'flag', help: 'print inferences and rate periodically during the run' },
    { key: 'livePeriod', names: ['-r', '--live-reporting-period'], kind: 'int', min: 10, max: 3_600_000, meta: '<ms>', help: 'live reporting period (default 1000 ms)' },
    { key: 'json', names: ['--json'], kind: 'string', meta: '<file>', example: 'run.json', help: 'write the JSON metrics document (summary, breakdown, benchmark, environment, options)' },
    { key: 'configure', names: ['--configure'], kind: 'choice', choices: ['throughput', 'latency'], meta: 'throughput|latency', help: 'instead of one run, measure every layout of activations x cores x set size (x batch when symbolic)\nand print the best (3 interleaved rounds of --time s each, default 1)' },
    { key: 'configureOutput', names: ['--configure-output'], kind: 'string', meta: '<file.yaml>', example: 'best.yaml', help: 'with --configure: write the best settings as an options YAML' },
    { key: 'report', names: ['--report'], kind: 'string', meta: '<file.html>', example: 'run.html', help: 'write a self-contained HTML report of the run: summary, latency percentile curve and histograms,\nthroughput over time, environment (and time per operator with --profiling)' },
    // --- LoadGen scenarios (lib/loadgen): raw values, parsed and checked by parseScenarioFlags() in lib/loadgen/runner-flags.ts ---
    { key: 'scenario', names: ['--scenario'], kind: 'string', meta: 'SingleStream|MultiStream|Server|Offline', example: 'Server', help: 'run an MLPerf LoadGen scenario instead of the closed loop: prints a LoadGen-style summary with VALID/INVALID' },
    { key: 'targetQps', names: ['--target-qps'], kind: 'string', meta: '<qps>', example: '200', help: 'LoadGen target_qps: Server arrival rate (Poisson), Offline expected rate' },
    { key: 'targetLatency', names: ['--target-latency'], kind: 'string', meta: '<ms>', example: '15', help: 'LoadGen target_latency in ms: the Server latency bound' },
    { key: 'targetLatencyPercentile', names: ['--target-latency-percentile'], kind: 'string', meta: '<percent>', example: '99', help: 'LoadGen target_latency_percentile in percent (Server default 99)' },
    { key: 'minDuration', names: ['--min-duration'], kind: 'string', meta: '<ms>', example: '10000', help: 'LoadGen min_duration in ms (default 10000)' },
    { key: 'maxDuration', names: ['--max-duration'], kind: 'string', meta: '<ms>', example: '0', help: 'LoadGen max_duration in ms (default 0: no limit)' },
    { key: 'minQueryCount', names: ['--min-query-count'], kind: 'string', meta: '<n>', example: '100', help: 'LoadGen min_query_count (default 100)' },
    { key: 'maxQueryCount', names: ['--max-query-count'], kind: 'string', meta: '<n>', example: '0', help: 'LoadGen max_query_count (default 0: no limit)' },
    { key: 'samplesPerQuery', names: ['--samples-per-query'], kind: 'string', meta: '<n>', example: '4', help: 'LoadGen samples_per_query (MultiStream, default 4)' },
    { key: 'scheduleRngSeed', names: ['--schedule-rng-seed'], kind: 'string', meta: '<n>', example: '0', help: 'LoadGen schedule_rng_seed (Server arrivals, default 0)' },
    { key: 'performanceSampleCount', names: ['--performance-sample-count'], kind: 'string', meta: '<n>', example: '4', help: 'distinct input sets cycled through (default 4 random sets, or the -i files)' },
    { key: 'maxScheduleLateness', names: ['--max-schedule-lateness'], kind: 'string', meta: '<ms>', example: String(DEFAULT_MAX_SCHEDULE_LATENESS_MS), help: `Server: highest p99 schedule lateness of a VALID run, ms (default ${DEFAULT_MAX_SCHEDULE_LATENESS_MS}; a qaic extension, raise it only\nknowing the load was issued that late)` },
    { key: 'settings', names: ['--settings'], kind: 'string', meta: '<user.conf>', example: 'user.conf', help: 'LoadGen user.conf-style settings (model.scenario.key = value); flags win over it' },
    { key: 'settingsModel', names: ['--settings-model'], kind: 'string', meta: '<name>', example: 'det', help: 'model name matched in --settings (default: the model file name without .onnx)' },
    { key: 'findPeak', names: ['--find-peak'], kind: 'flag', help: 'search the highest VALID Server --target-qps by bisection (LoadGen FindPeakPerformance) and print the trials' },
    // --- end LoadGen scenarios ---
    { key: 'help', names: ['-h', '--help'], kind: 'flag', help: 'this text' },
  ],
  footer: `Output paths (--json, --report, --configure-output, --write-output-dir) are checked before the run; no folder is created.
Exit codes: 0 ran; 1 the program could not be loaded or run, or an input file is unreadable or of the wrong size;
2 bad command line (unknown flag, value out of range, -n with --time, wrong number of -i files, unwritable output path).`,
};

/** What the command line asks for. Absent keys were not given. */
export interface RunnerArgs extends ScenarioFlagValues {
  testData?: string;
  activations?: number;
  numIter?: number;
  time?: number;
  setSize?: number;
  device?: number;
  inputFiles?: string[];
  symbols?: Array<[string, number]>;
  cores?: number;
  graph?: string;
  activationTimeout?: number;
  isolation?: 'thread' | 'process';
  engine?: 'native' | 'worker';
  computeUnit?: string[];
  runTimeout?: number;
  oversubscribe?: boolean;
  warmup?: number;
  profiling?: boolean;
  writeOutputDir?: string;
  live?: boolean;
  livePeriod?: number;
  json?: string;
  report?: string;
  configure?: string;
  configureOutput?: string;
  help?: boolean;
  [key: string]: unknown;
}

/**
 * The usage text `-h` prints.
 *
 * @param tool the name the tool was called by
 */
export function runnerUsage(tool = 'qaic-runner'): string {
  return formatHelp(RUNNER_SPEC, tool);
}

/**
 * Parse `qaic-runner` arguments (without `node` and the script).
 *
 * @param tool the name the tool was called by, for messages
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown flag (naming the nearest one), a missing or out-of-range value,
 *   a repeated single-valued flag, a combination that cannot work (`-n` with `--time`, `--configure-output` without
 *   `--configure`, `--profiling` or `-i` with `--configure`), or no `-t`
 */
export function parseRunnerArgs(argv: readonly string[], tool = 'qaic-runner'): RunnerArgs {
  if (wantsHelp(RUNNER_SPEC, argv)) return { help: true };
  const { values, spelled } = parseFlags(RUNNER_SPEC, argv, tool);
  const out = values as RunnerArgs;
  if (out.testData === undefined) throw usageError(tool, 'no program given: pass -t <program dir or model.onnx>', { flag: '-t' });
  if (out.configureOutput !== undefined && out.configure === undefined) throw usageError(tool, '--configure-output needs --configure throughput|latency', { flag: '--configure-output' });
  if (out.numIter !== undefined && out.time !== undefined) throw usageError(tool, `give ${spelled.numIter} (${out.numIter}) or --time (${out.time}), not both`, { flag: '--time' });
  if (out.configure !== undefined) {
    // The configurator chooses these itself, or cannot honour them: refuse rather than silently ignore.
    const ignored = ['activations', 'setSize', 'cores', 'oversubscribe', 'device', 'graph', 'activationTimeout', 'isolation', 'engine', 'computeUnit', 'runTimeout', 'numIter', 'inputFiles', 'profiling', 'writeOutputDir', 'json', 'report', 'live', 'livePeriod'].filter((k) => out[k] !== undefined).map((k) => spelled[k]!);
    if (ignored.length > 0) throw usageError(tool, `--configure measures its own layouts and writes only --configure-output: ${ignored.join(', ')} cannot be combined with it`, { flag: ignored[0] });
  }
  // --- LoadGen scenarios ---
  parseScenarioFlags(out, (message, details) => usageError(tool, message, details));
  // --- end LoadGen scenarios ---
  return out;
}

/**
 * The session options `--isolation`, `--engine`, `--run-timeout` and `--compute-unit` set, when given (for every
 * command that opens a session): where and on what activations run.
 */
export function isolationOptions(args: Pick<RunnerArgs, 'isolation' | 'engine' | 'runTimeout' | 'computeUnit'>): Pick<SessionOptions, 'isolation' | 'engine' | 'run_timeout' | 'compute_unit'> {
  const out: Pick<SessionOptions, 'isolation' | 'engine' | 'run_timeout' | 'compute_unit'> = {};
  if (args.isolation !== undefined) out.isolation = args.isolation;
  if (args.engine !== undefined) out.engine = args.engine;
  if (args.computeUnit !== undefined) out.compute_unit = args.computeUnit as ComputeUnitName[];
  if (args.runTimeout !== undefined) out.run_timeout = args.runTimeout;
  return out;
}

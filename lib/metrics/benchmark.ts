/**
 * `runBenchmark()`: measure the activations, not the caller, as the SDK's C++ benchmark API behind Python's
 * `run_benchmark()` does. The runtime runs the loop inside every activation at once (`Runtime.runBenchmark()`),
 * `set_size` inferences deep, after a warm-up that is excluded and reported; this file checks the arguments, asks
 * for the loop and turns the samples it gets back into the result.
 *
 * `run()` calls made during a benchmark go to the same activations: they are served, and the benchmark measures
 * their load too. One benchmark at a time per session.
 */
import { QaicError, describeValue } from '../errors.js';
import { normaliseInputs, type Inputs } from '../tensor.js';
import type { ValueSpec } from '../onnx/model.js';
import type { ActivationSamples, Runtime } from '../runtime/runtime.js';
import { nowNs } from '../runtime/clock.js';
import { LatencyStore, type LatencySummary } from './latency-store.js';

/**
 * Arguments of `runBenchmark()`. Python and camelCase spellings are both accepted; give a count or a duration,
 * never both.
 */
export interface BenchmarkArgs {
  /** inferences to run across all activations (default 40 when no duration is given). Python: `num_inferences` */
  numInferences?: number;
  /** Python spelling of `numInferences`; giving both with different values throws `QAIC_INVALID_ARGUMENT`. */
  num_inferences?: number;
  /** run for this many seconds instead of a count. Python: `inf_time` */
  infTime?: number;
  /** Python spelling of `infTime` (seconds); giving both with different values throws `QAIC_INVALID_ARGUMENT`. */
  inf_time?: number;
  /** inputs (same forms as `run()`); random data from the model's input specs when absent. Python: `input_dict` */
  inputs?: Inputs;
  /** Python spelling of `inputs`; giving both with different values throws `QAIC_INVALID_ARGUMENT`. */
  input_dict?: Inputs;
  /** warm-up inferences per activation, excluded from the results (default 1, as onnxruntime_perf_test) */
  warmup?: number;
  /** called about every `progressMs` with the inferences completed so far, and once with the final count at the end */
  onProgress?: (progress: BenchmarkProgress) => void;
  /** progress period in ms (default 1000, as qaic-runner's live reporting) */
  progressMs?: number;
  /** emit the result's warnings with `process.emitWarning` (default true; qaic-runner prints them itself) */
  emitWarnings?: boolean;
  /**
   * the graph to benchmark, of those the session serves (see `Session.allowedShapes`); random inputs take its
   * shapes. Default: the first graph. Not in the Python API (a QAIC program runs one specialization per binding set).
   */
  graph?: string;
}

/** A progress report during a benchmark. */
export interface BenchmarkProgress {
  /** measured inferences completed so far, all activations */
  completed: number;
  /** seconds since `runBenchmark()` was called (warm-up included) */
  elapsed: number;
}

/** Above this coefficient of variation of the per-inference latency, a run is reported unstable (10 %). */
export const UNSTABLE_COV = 0.1;
/** Measuring windows shorter than this (seconds) are reported too short to trust (1 s). */
export const MIN_TRUSTED_SECONDS = 1;
/** Runs with fewer measured inferences than this are reported too short (100: P99 needs 100 samples). */
export const MIN_TRUSTED_INFERENCES = 100;

/** What a benchmark found, beyond the Python tuple. Times in seconds. */
export interface BenchmarkDetails {
  /** `'count'` or `'time'` */
  mode: 'count' | 'time';
  /** the count or seconds asked for */
  requested: number;
  /** activations that took part (those ready when the benchmark started) */
  activations: number;
  /** inferences kept in flight per activation (set_size) */
  depth: number;
  /** the graph's batch size, as `batch_size` in the tuple */
  batchSize: number;
  /** the graph benchmarked (its name in the program; `'main'` for a single-graph program) */
  graph: string;
  /** warm-up inferences per activation and the longest activation's warm-up time */
  warmup: {
    /** warm-up inferences each activation ran before measuring (`BenchmarkArgs.warmup`) */
    perActivation: number;
    /** seconds the slowest activation spent warming up */
    seconds: number;
  };
  /** per-inference latency inside the activations (issue to completion), all activations merged */
  latency: LatencySummary;
  /** per activation: inferences, window and latency summary */
  perActivation: Array<{
    /** activation index */
    activation: number;
    /** measured inferences this activation completed (warm-up excluded) */
    completed: number;
    /** this activation's measuring window in seconds, first measured issue to last completion (0 with none) */
    seconds: number;
    /** this activation's per-inference latency, seconds */
    latency: LatencySummary;
  }>;
  /** trtexec-style remarks: too short, unstable, undersampled percentiles */
  warnings: string[];
  /** whether latencies were also recorded into the session's metrics (stage `benchmark`) */
  recordedInMetrics: boolean;
  /**
   * Time outside the measured window, seconds: from the call to measuring start (inputs, posting, warm-up, barrier)
   * and from the last completion to `runBenchmark()` returning (posting the samples back, summarising).
   */
  harness: {
    /** seconds from the `runBenchmark()` call to the start of measuring (0 when nothing completed) */
    beforeStart: number;
    /** seconds from the last measured completion to the result being ready (0 when nothing completed) */
    afterEnd: number;
  };
}

/**
 * The Python API's benchmark 4-tuple `[inf_completed, inf_rate, inf_time, batch_size]`, destructurable, with the
 * same values under snake_case and camelCase names. What each value counts is the result type's to say
 * ({@link BenchmarkResult} for the closed loop, the scenario result for LoadGen scenarios).
 */
export type BenchmarkTuple = [inf_completed: number, inf_rate: number, inf_time: number, batch_size: number] & {
  /** completed inferences (or samples); tuple element 0 */
  inf_completed: number;
  /** inferences (samples) x batch per second; tuple element 1 */
  inf_rate: number;
  /** seconds of the measured window; tuple element 2 */
  inf_time: number;
  /** the graph's batch size; tuple element 3 */
  batch_size: number;
  /** camelCase alias of `inf_completed` */
  infCompleted: number;
  /** camelCase alias of `inf_rate` */
  infRate: number;
  /** camelCase alias of `inf_time` (seconds) */
  infTime: number;
  /** camelCase alias of `batch_size` */
  batchSize: number;
};

/**
 * The result: the Python 4-tuple `[inf_completed, inf_rate, inf_time, batch_size]`, destructurable, with the same
 * values under names and the details.
 *
 * - `inf_completed`: measured inferences (warm-up excluded), all activations.
 * - `inf_rate`: inferences per second counting the batch: `inf_completed × batch_size / inf_time`.
 * - `inf_time`: seconds from the moment every activation started measuring to the last completion.
 * - `batch_size`: the graph's batch size.
 */
export type BenchmarkResult = BenchmarkTuple & {
  /** everything beyond the Python tuple: latency summaries, warm-up, warnings (not in the Python API) */
  details: BenchmarkDetails;
};

const KNOWN = new Set(['numInferences', 'num_inferences', 'infTime', 'inf_time', 'inputs', 'input_dict', 'warmup', 'onProgress', 'progressMs', 'emitWarnings', 'graph']);

function bad(argument: string, expected: string, given: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', `runBenchmark(): '${argument}' must be ${expected}, got ${describeValue(given)}`, { details: { argument } });
}

/**
 * `runBenchmark()`'s arguments after {@link resolveBenchmarkArgs}: one spelling per argument, defaults applied,
 * values checked.
 */
export interface ResolvedBenchmarkArgs {
  /** `'time'` when `inf_time` was given, else `'count'` */
  mode: 'count' | 'time';
  /** inferences to run across all activations in `'count'` mode (default 40); 0 in `'time'` mode */
  count: number;
  /** seconds to measure in `'time'` mode; 0 in `'count'` mode */
  seconds: number;
  /** the inputs given, or undefined for random data from the model's input specs */
  inputs: Inputs | undefined;
  /** warm-up inferences per activation, excluded from the results (default 1) */
  warmup: number;
  /** progress callback, when one was given */
  onProgress: ((p: BenchmarkProgress) => void) | undefined;
  /** progress period in ms (default 1000) */
  progressMs: number;
  /** whether the result's warnings are emitted with `process.emitWarning` (default true) */
  emitWarnings: boolean;
  /** the graph to benchmark, or undefined for the first */
  graph: string | undefined;
}

/**
 * Check and resolve `runBenchmark()`'s arguments.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for unknown keys, both spellings of one argument with different
 *   values, a count together with a duration, a count that is not a positive integer, or a duration that is not a
 *   positive number of seconds
 */
export function resolveBenchmarkArgs(args: BenchmarkArgs | undefined): ResolvedBenchmarkArgs {
  const a = (args ?? {}) as Record<string, unknown>;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw bad('arguments', 'an object such as {num_inferences: 40}', args);
  for (const key of Object.keys(a)) {
    if (!KNOWN.has(key)) throw bad(key, `one of ${[...KNOWN].join(', ')} (unknown argument)`, a[key]);
  }
  const pick = (camel: string, snake: string): unknown => {
    const c = a[camel];
    const s = a[snake];
    if (c !== undefined && s !== undefined && c !== s) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `runBenchmark(): '${camel}' and '${snake}' are the same argument and were given different values (${describeValue(c)} and ${describeValue(s)})`, { details: { argument: snake } });
    }
    return c ?? s;
  };
  const count = pick('numInferences', 'num_inferences');
  const time = pick('infTime', 'inf_time');
  const inputs = pick('inputs', 'input_dict');
  if (count !== undefined && time !== undefined) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `runBenchmark(): give 'num_inferences' (${String(count)}) or 'inf_time' (${String(time)}), not both (as in the Python API)`, {
      details: { argument: 'inf_time' },
    });
  }
  if (count !== undefined && !(Number.isSafeInteger(count) && (count as number) > 0)) throw bad('num_inferences', 'a positive integer', count);
  if (time !== undefined && !(typeof time === 'number' && Number.isFinite(time) && time > 0)) throw bad('inf_time', 'a positive number of seconds', time);
  const warmup = a.warmup ?? 1;
  if (!(Number.isSafeInteger(warmup) && (warmup as number) >= 0)) throw bad('warmup', 'a non-negative integer (inferences per activation)', warmup);
  const progressMs = a.progressMs ?? 1000;
  if (!(Number.isSafeInteger(progressMs) && (progressMs as number) > 0)) throw bad('progressMs', 'a positive integer (milliseconds)', progressMs);
  if (a.onProgress !== undefined && typeof a.onProgress !== 'function') throw bad('onProgress', 'a function', a.onProgress);
  if (a.emitWarnings !== undefined && typeof a.emitWarnings !== 'boolean') throw bad('emitWarnings', 'a boolean', a.emitWarnings);
  if (inputs !== undefined && (typeof inputs !== 'object' || inputs === null)) throw bad('input_dict', 'an object {input name: tensor}', inputs);
  if (a.graph !== undefined && (typeof a.graph !== 'string' || a.graph === '')) throw bad('graph', 'the name of a graph the session serves (see allowedShapes)', a.graph);
  return {
    mode: time !== undefined ? 'time' : 'count',
    count: time !== undefined ? 0 : ((count as number | undefined) ?? 40),
    seconds: (time as number | undefined) ?? 0,
    inputs: inputs as Inputs | undefined,
    warmup: warmup as number,
    onProgress: a.onProgress as ((p: BenchmarkProgress) => void) | undefined,
    progressMs: progressMs as number,
    emitWarnings: (a.emitWarnings as boolean | undefined) ?? true,
    graph: a.graph as string | undefined,
  };
}

/** What the benchmark needs from the session. */
export interface BenchmarkTarget {
  /** the session's runtime: it runs the loop in its activations */
  runtime: Runtime;
  /** input specs with fixed shapes, in the model's input order */
  inputSpecs: readonly ValueSpec[];
  /** used when no inputs are given */
  randomInputs: () => Inputs;
  setSize: number;
  batchSize: number;
  /** the graph benchmarked: its index among the graphs the session serves, its name and (not graph 0) its file */
  graph?: { index: number; name: string; modelPath?: string | undefined };
  /** when metrics are on: latencies are recorded there too, under stage `benchmark` */
  store: LatencyStore | undefined;
}

/** Run the benchmark on a session's runtime and summarise what its activations measured. */
export async function runBenchmarkOn(target: BenchmarkTarget, args: ResolvedBenchmarkArgs, calledNs = nowNs()): Promise<BenchmarkResult> {
  const feeds = normaliseInputs(args.inputs ?? target.randomInputs(), target.inputSpecs as ValueSpec[]);
  const t0 = performance.now();
  const onProgress = args.onProgress;
  const samples = await target.runtime.runBenchmark({
    feeds, warmup: args.warmup, depth: target.setSize, mode: args.mode, count: args.count, seconds: args.seconds,
    ...(target.graph === undefined || target.graph.index === 0 ? {} : { graph: target.graph.index }),
    ...(target.graph?.modelPath === undefined ? {} : { modelPath: target.graph.modelPath }),
    progress: onProgress === undefined ? undefined : {
      everyMs: args.progressMs,
      report: (completed) => onProgress({ completed, elapsed: (performance.now() - t0) / 1000 }),
    },
  });
  return summariseBenchmark(samples, target, args, calledNs, nowNs());
}

function summariseBenchmark(results: ActivationSamples[], target: BenchmarkTarget, args: ResolvedBenchmarkArgs, calledNs: number, answeredNs: number): BenchmarkResult {
  // The run's own store (histogram and exact sums per activation), summarised as the session's metrics are.
  const own = new LatencyStore();
  let completed = 0;
  let start = Infinity;
  let end = 0;
  let warmupNs = 0;
  for (const r of results) {
    for (const v of r.samplesNs) {
      own.record('benchmark', r.activation, v);
      target.store?.record('benchmark', r.activation, v);
    }
    completed += r.count;
    if (r.count > 0) {
      start = Math.min(start, r.startNs);
      end = Math.max(end, r.endNs);
    }
    warmupNs = Math.max(warmupNs, r.warmupNs);
  }
  const perActivation: BenchmarkDetails['perActivation'] = results.map((r) => ({
    activation: r.activation, completed: r.count, seconds: r.count > 0 ? (r.endNs - r.startNs) / 1e9 : 0, latency: own.activationSummary('benchmark', r.activation),
  }));
  const seconds = completed > 0 ? (end - start) / 1e9 : 0;
  const rate = seconds > 0 ? (completed * target.batchSize) / seconds : 0;
  const latency = own.summary('benchmark');
  const warnings: string[] = [];
  if (seconds < MIN_TRUSTED_SECONDS || completed < MIN_TRUSTED_INFERENCES) {
    const advice = seconds < MIN_TRUSTED_SECONDS ? 'measure for longer (inf_time=3 or more)' : `run more inferences (num_inferences=${MIN_TRUSTED_INFERENCES} or more, or a longer inf_time)`;
    warnings.push(`the run was too short to trust (${completed} inferences over ${seconds.toFixed(3)} s; want at least ${MIN_TRUSTED_INFERENCES} inferences and ${MIN_TRUSTED_SECONDS} s): ${advice}`);
  }
  if (latency.cov > UNSTABLE_COV) {
    warnings.push(`the latencies were unstable: coefficient of variation ${(latency.cov * 100).toFixed(1)} % is above ${UNSTABLE_COV * 100} % (other load on the machine, frequency scaling, or too many activations for the cores); treat percentiles with care`);
  }
  const thin = Object.entries(latency.percentiles).filter(([, f]) => f.undersampled).map(([k, f]) => `${k} (needs ${f.minSamples})`);
  if (thin.length > 0) warnings.push(`${completed} samples are too few for ${thin.join(', ')}: those percentiles are the maximum or near it`);
  const details: BenchmarkDetails = {
    mode: args.mode,
    requested: args.mode === 'count' ? args.count : args.seconds,
    activations: results.length,
    depth: target.setSize,
    batchSize: target.batchSize,
    graph: target.graph?.name ?? 'main',
    warmup: { perActivation: args.warmup, seconds: warmupNs / 1e9 },
    latency,
    perActivation,
    warnings,
    recordedInMetrics: target.store !== undefined,
    harness: { beforeStart: completed > 0 ? (start - calledNs) / 1e9 : 0, afterEnd: completed > 0 ? (answeredNs - end) / 1e9 : 0 },
  };
  const tuple = [completed, rate, seconds, target.batchSize] as [number, number, number, number];
  return Object.assign(tuple, {
    inf_completed: completed, inf_rate: rate, inf_time: seconds, batch_size: target.batchSize,
    infCompleted: completed, infRate: rate, infTime: seconds, batchSize: target.batchSize,
    details,
  });
}

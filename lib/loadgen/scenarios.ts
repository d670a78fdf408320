/**
 * The four LoadGen scenarios, driven through the session's public `run()`:
 *
 * - **SingleStream**: one sample per query, the next query when the last completes; reports p90 with early stopping.
 * - **MultiStream**: `samples_per_query` samples issued together as one query, whose latency is its slowest
 *   sample's; the next query when the last completes; reports p99 with early stopping.
 * - **Server**: open loop: one sample per query at seeded Poisson arrival times, independent of completions. Each
 *   latency runs from the query's scheduled arrival, so queueing shows instead of hiding (no coordinated
 *   omission); how late each query was actually issued is measured (`schedule_lateness_ns`).
 * - **Offline**: every sample issued at once; reports samples per second.
 *
 * Every run starts with one warm-up query per activation (excluded): an activation's first inference is slow and
 * LoadGen's reference backends warm up before the timed run too.
 */
import { QaicError } from '../errors.js';
import type { Inputs } from '../tensor.js';
import type { BenchmarkTuple } from '../metrics/benchmark.js';
import type { Dim } from '../onnx/model.js';
import { ArrivalClock, nowNs } from './arrival-clock.js';
import { earlyStoppingEstimate, minPassingQueries, serverEarlyStopping, type EarlyStoppingResult } from './early-stopping.js';
import { loadgenLatency, loadgenPercentile, sortedCopy, type LoadgenLatency } from './latency.js';
import { SampleCycle, randomInputSets } from './samples.js';
import { poissonSchedule } from './schedule.js';
import { DEFAULT_MAX_SCHEDULE_LATENESS_MS, plainSettings, resolveScenarioSettings, type ResolvedScenarioSettings, type Scenario, type ScenarioArgs, type ScenarioSettings, type SettingSource, type UsedSettings } from './settings.js';
import { judge, type ValidityChecks } from './validity.js';

/** What a scenario needs from a session: its public surface only. */
export interface ScenarioTarget {
  /** the session's `run()` */
  run(inputs: Inputs): Promise<unknown>;
  /**
   * the session's `_runLent()`, when it has one: `run()` for inputs it must neither detach nor copy per query (the
   * samples are never changed and serve every query); without it each query gets a copy of its sample
   *
   * @internal
   */
  _runLent?(inputs: Inputs): Promise<unknown>;
  /** the session's `setup()` */
  setup(): Promise<void>;
  /** `session.modelInputShapeDict` */
  readonly modelInputShapeDict: Record<string, [Dim[], string]>;
  /** the session's batch size */
  readonly batchSize: number;
  /** `session.options` (activations, and whether `run()` copies its inputs) */
  readonly options: {
    /** activations: one warm-up query each */
    readonly num_activations: number;
    /** `run()` copies its inputs instead of transferring them (absent: it transfers) */
    readonly copy_inputs?: boolean;
  };
  /** `session.source` (the model path, for the settings file's model name) */
  readonly source: {
    /** the model or program path the session was created with */
    readonly path: string;
  };
}

/** `details.loadgen`: LoadGen's result, in LoadGen's terms. */
export interface LoadgenDetails {
  /** the scenario run */
  scenario: Scenario;
  /** `'VALID'` when every rule held */
  result: 'VALID' | 'INVALID';
  /** each failed rule, in words (empty when VALID) */
  reasons: string[];
  /** what to change, as LoadGen's "Recommendations" */
  recommendations: string[];
  /** each rule and whether it held */
  checks: ValidityChecks;
  /** how the load was made: open loop (Server) or closed loop with its depth, so figures are not mistaken for each other */
  load: string;
  /**
   * queries per second as scheduled: Server `(n - 1) / last scheduled arrival`; SingleStream/MultiStream
   * `(n - 1) / last issue` (LoadGen's "QPS w/ loadgen overhead"); Offline the expected rate (`target_qps`)
   */
  scheduled_qps: number;
  /** queries per second completed: `(n - 1) / last completion` (Offline: samples / the query's latency, samples/s) */
  completed_qps: number;
  /** samples per second completed (`completed_qps × samples_per_query`; Offline: as completed_qps) */
  samples_per_second: number;
  /** queries completed (Offline: 1) */
  queries: number;
  /** samples completed */
  samples: number;
  /** from the start of the run to the last completion, ms */
  duration_ms: number;
  /** per-query latency (Offline: per sample), ns, LoadGen's rank formula */
  latency_ns: LoadgenLatency;
  /** the latency at `target_latency_percentile`, ns (`sorted[floor(n·p)]`) */
  percentile_latency_ns: number;
  /** the early-stopping rule at `target_latency_percentile` (Offline: not applicable, always met) */
  early_stopping: EarlyStoppingResult;
  /** Server: how late each query was issued after its scheduled arrival, ns (null in the closed-loop scenarios) */
  schedule_lateness_ns: LoadgenLatency | null;
  /** the settings used */
  settings: UsedSettings;
  /** where each setting came from: LoadGen default, the settings file, or an argument */
  settings_sources: Record<keyof ScenarioSettings, SettingSource>;
  /** warm-up queries run before the timed run (one per activation), excluded */
  warmup_queries: number;
  /** the raw per-query samples, in issue order, for anyone to recompute the figures */
  raw: {
    /** per-query latency (Offline: per sample), ns */
    latency_ns: number[];
    /** Server: per-query schedule lateness, ns */
    schedule_lateness_ns?: number[];
    /** Server: scheduled arrival offsets from the run's start, ns */
    scheduled_ns?: number[];
  };
  /** notes that do not change the verdict (a setting with no effect in this scenario, for instance) */
  warnings: string[];
}

/**
 * A scenario's result: the Python 4-tuple (`inf_completed` samples, `inf_rate` samples × batch per second,
 * `inf_time` seconds to the last completion, `batch_size`) with the same values named, and `details.loadgen`.
 */
export type ScenarioResult = BenchmarkTuple & {
  /** the LoadGen result and, as for the closed-loop benchmark, the warnings */
  details: {
    /** LoadGen's result */
    loadgen: LoadgenDetails;
    /** `loadgen.warnings` plus the verdict's reasons when INVALID */
    warnings: string[];
  };
};

/** One timed query: when it was due, issued and done (ns on the run's clock). */
interface QueryTimes {
  scheduledNs: number;
  issuedNs: number;
  doneNs: number;
}

function inputSetsOf(args: ScenarioArgs): Inputs[] | undefined {
  if (args.inputs === undefined) return undefined;
  const sets = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
  if (sets.length === 0 || sets.some((s) => typeof s !== 'object' || s === null)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', "runBenchmark(): 'inputs' must be an input set {name: tensor} or a non-empty array of them", { details: { argument: 'inputs' } });
  }
  return sets;
}

/** Issue one query: lent to the session when it can borrow samples, else through `run()` (each query's own copy). */
export function issueRun(target: ScenarioTarget, inputs: Inputs): Promise<unknown> {
  return target._runLent !== undefined ? target._runLent(inputs) : target.run(inputs);
}

/** Resolve the arguments and the samples a scenario will cycle through. */
export function prepareScenario(target: ScenarioTarget, args: ScenarioArgs, method = 'runBenchmark()'): { settings: ResolvedScenarioSettings; cycle: SampleCycle } {
  const given = inputSetsOf(args);
  const settings = resolveScenarioSettings(method, args, target.source.path, given?.length ?? 0);
  const sets = given !== undefined
    ? Array.from({ length: settings.performance_sample_count }, (_, i) => given[i % given.length]!)
    : randomInputSets(target.modelInputShapeDict, settings.performance_sample_count);
  // a run that leaves its inputs attached (lent, or copy_inputs) lets every query reuse the sample's own buffers
  const runCopies = target._runLent !== undefined || target.options.copy_inputs === true;
  return { settings, cycle: new SampleCycle(sets, !runCopies) };
}

/** Whether a closed-loop run should issue another query after `count` queries at `elapsedMs`. */
function wantsMore(s: ResolvedScenarioSettings, count: number, elapsedMs: number): boolean {
  if (s.max_query_count > 0 && count >= s.max_query_count) return false;
  if (s.max_duration > 0 && elapsedMs >= s.max_duration) return false;
  return count < s.min_query_count || elapsedMs < s.min_duration;
}

async function closedLoop(target: ScenarioTarget, s: ResolvedScenarioSettings, cycle: SampleCycle, startNs: number): Promise<QueryTimes[]> {
  const out: QueryTimes[] = [];
  const perQuery = s.samples_per_query;
  while (wantsMore(s, out.length, (nowNs() - startNs) / 1e6)) {
    const feeds = Array.from({ length: perQuery }, () => cycle.take());
    const issuedNs = nowNs();
    // A MultiStream query is done when its slowest sample is.
    await Promise.all(feeds.map((f) => issueRun(target, f)));
    out.push({ scheduledNs: issuedNs, issuedNs, doneNs: nowNs() });
    cycle.prepare();
  }
  return out;
}

/** Server: issue at the schedule's arrivals from the arrival clock's wake-ups; resolve when every query is done. */
async function openLoop(target: ScenarioTarget, s: ResolvedScenarioSettings, cycle: SampleCycle, offsets: Float64Array): Promise<{ queries: QueryTimes[]; startNs: number }> {
  const n = offsets.length;
  const queries: QueryTimes[] = Array.from({ length: n }, () => ({ scheduledNs: 0, issuedNs: 0, doneNs: 0 }));
  let issued = 0;
  let done = 0;
  let failure: unknown;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  let startNs = 0;
  const issueDue = (lastDue: number): void => {
    while (issued <= lastDue && issued < n && failure === undefined) {
      const q = queries[issued++]!;
      const feeds = cycle.take();
      q.issuedNs = nowNs();
      issueRun(target, feeds).then(() => {
        q.doneNs = nowNs();
        if (++done === n) finish();
      }, (error: unknown) => {
        failure ??= error;
        finish();
      });
    }
    cycle.prepare();
  };
  const clock = new ArrivalClock(n, issueDue);
  try {
    await clock.ready();
    cycle.prepare();
    // Start a little ahead so the first arrival is not already late when the thread reads the schedule.
    startNs = nowNs() + 2e6;
    const absolute = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      absolute[i] = startNs + offsets[i]!;
      queries[i]!.scheduledNs = absolute[i]!;
    }
    clock.start(absolute);
    if (n === 0) finish();
    await finished;
  } finally {
    await clock.stop();
  }
  if (failure !== undefined) throw failure;
  return { queries, startNs };
}

async function warmUp(target: ScenarioTarget, cycle: SampleCycle): Promise<number> {
  const count = Math.max(1, target.options.num_activations);
  await Promise.all(Array.from({ length: count }, () => issueRun(target, cycle.take())));
  return count;
}

/**
 * Run one LoadGen scenario on a session (through its public `run()`).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad settings; the first `run()` error (bad inputs, a crashed
 *   activation, a closed session) ends the run and is thrown
 */
export async function runScenario(target: ScenarioTarget, args: ScenarioArgs): Promise<ScenarioResult> {
  const { settings: s, cycle } = prepareScenario(target, args);
  // Two scenarios on the same activations would each measure the other's load.
  if (running.has(target)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `runBenchmark({ scenario: '${s.scenario}' }): a scenario is already running on this session; await it before starting another`, { details: { argument: 'scenario' } });
  }
  running.add(target);
  try {
    return await runScenarioOnce(target, args, s, cycle);
  } finally {
    running.delete(target);
  }
}

const running = new WeakSet<ScenarioTarget>();

async function runScenarioOnce(target: ScenarioTarget, args: ScenarioArgs, s: ResolvedScenarioSettings, cycle: SampleCycle): Promise<ScenarioResult> {
  await target.setup();
  const warmup = await warmUp(target, cycle);
  const warnings: string[] = [];
  if (s.scenario !== 'Server' && s.sources.target_latency !== 'default') warnings.push(`target_latency (${s.target_latency} ms) has no effect in ${s.scenario}: LoadGen bounds latency only in Server (this scenario reports its p${s.target_latency_percentile})`);
  if (s.scenario === 'SingleStream' && s.sources.target_qps !== 'default') warnings.push(`target_qps has no effect in SingleStream: the next query goes when the last completes`);
  if (s.scenario === 'Server' && s.max_schedule_lateness > DEFAULT_MAX_SCHEDULE_LATENESS_MS) warnings.push(`max_schedule_lateness is ${s.max_schedule_lateness} ms: a run whose queries were issued up to that late (p99) counts as VALID, above the ${DEFAULT_MAX_SCHEDULE_LATENESS_MS} ms default; its load is not LoadGen-precise`);
  if (s.scenario !== 'Server' && s.sources.max_schedule_lateness !== 'default') warnings.push('max_schedule_lateness has no effect outside Server: only Server issues on a schedule');

  let queries: QueryTimes[];
  let startNs: number;
  let latencies: number[];
  let samples: number;
  let lateness: number[] | undefined;
  let scheduled: number[] | undefined;
  if (s.scenario === 'Server') {
    const offsets = poissonSchedule({
      targetQps: s.target_qps, minDurationMs: s.min_duration, minQueryCount: s.min_query_count,
      maxDurationMs: s.max_duration, maxQueryCount: s.max_query_count, seed: s.schedule_rng_seed,
    });
    // Early stopping needs h(0) queries even when none exceeds the bound (459 for p99): say so before the run.
    const floor = minPassingQueries(0, s.target_latency_percentile);
    if (offsets.length < floor) {
      warnings.push(`the schedule has ${offsets.length} queries, fewer than the ${floor} early stopping needs for p${s.target_latency_percentile} even with none over target_latency: this run cannot be VALID (raise min_query_count or min_duration)`);
    }
    ({ queries, startNs } = await openLoop(target, s, cycle, offsets));
    latencies = queries.map((q) => q.doneNs - q.scheduledNs);
    lateness = queries.map((q) => Math.max(0, q.issuedNs - q.scheduledNs));
    scheduled = Array.from(offsets);
    samples = queries.length;
  } else if (s.scenario === 'Offline') {
    // LoadGen sizes the one query as max(min_query_count, 1.1 × min_duration × expected QPS) samples (kSlack 1.1).
    let count = Math.max(s.min_query_count, Math.ceil(1.1 * (s.min_duration / 1000) * s.target_qps));
    if (s.max_query_count > 0) count = Math.min(count, s.max_query_count);
    const feeds = Array.from({ length: count }, () => cycle.take());
    startNs = nowNs();
    const done = await Promise.all(feeds.map((f) => issueRun(target, f).then(() => nowNs())));
    queries = done.map((d) => ({ scheduledNs: startNs, issuedNs: startNs, doneNs: d }));
    latencies = queries.map((q) => q.doneNs - startNs);
    samples = count;
  } else {
    startNs = nowNs();
    queries = await closedLoop(target, s, cycle, startNs);
    latencies = queries.map((q) => q.doneNs - q.issuedNs);
    samples = queries.length * s.samples_per_query;
  }

  const n = queries.length;
  const lastDone = queries.reduce((m, q) => Math.max(m, q.doneNs), startNs);
  const durationNs = lastDone - startNs;
  const sorted = sortedCopy(latencies);
  const p = s.target_latency_percentile;
  const percentileLatencyNs = n === 0 ? 0 : loadgenPercentile(sorted, p / 100);
  let scheduledQps: number;
  let completedQps: number;
  let earlyStopping: EarlyStoppingResult;
  if (s.scenario === 'Offline') {
    scheduledQps = s.target_qps;
    completedQps = durationNs > 0 ? samples / (durationNs / 1e9) : 0;
    earlyStopping = { met: true, percentile: p, confidence: 0.99, queries: n, queries_needed: 0, overlatency_count: 0 };
  } else {
    const lastScheduled = queries.reduce((m, q) => Math.max(m, q.scheduledNs), startNs) - startNs;
    scheduledQps = n > 1 && lastScheduled > 0 ? (n - 1) / (lastScheduled / 1e9) : 0;
    completedQps = n > 1 && durationNs > 0 ? (n - 1) / (durationNs / 1e9) : 0;
    earlyStopping = s.scenario === 'Server'
      ? serverEarlyStopping(latencies, s.target_latency * 1e6, p)
      : earlyStoppingEstimate(sorted, p);
  }
  const latenessFigures = lateness === undefined ? null : loadgenLatency(lateness);
  const verdict = judge({
    settings: s, durationMs: durationNs / 1e6, queries: s.scenario === 'Offline' ? samples : n, percentileLatencyNs, earlyStopping,
    ...(latenessFigures === null ? {} : { p99LatenessNs: latenessFigures.p99 }),
  });
  const samplesPerSecond = s.scenario === 'Offline' ? completedQps : completedQps * s.samples_per_query;
  const load = s.scenario === 'Server'
    ? `open loop: Poisson arrivals at ${s.target_qps} queries/s (seed ${s.schedule_rng_seed}), latency from each query's scheduled arrival`
    : s.scenario === 'Offline'
      ? `one query of ${samples} samples issued at once, latency from that issue`
      : `closed loop: one query of ${s.samples_per_query} sample(s) in flight at a time, latency from its issue`;
  const loadgen: LoadgenDetails = {
    scenario: s.scenario,
    result: verdict.result,
    reasons: verdict.reasons,
    recommendations: verdict.recommendations,
    checks: verdict.checks,
    load,
    scheduled_qps: scheduledQps,
    completed_qps: completedQps,
    samples_per_second: samplesPerSecond,
    queries: n,
    samples,
    duration_ms: durationNs / 1e6,
    latency_ns: loadgenLatency(latencies),
    percentile_latency_ns: percentileLatencyNs,
    early_stopping: earlyStopping,
    schedule_lateness_ns: latenessFigures,
    settings: plainSettings(s),
    settings_sources: { ...s.sources },
    warmup_queries: warmup,
    raw: { latency_ns: latencies, ...(lateness === undefined ? {} : { schedule_lateness_ns: lateness, scheduled_ns: scheduled! }) },
    warnings,
  };
  const rate = samplesPerSecond * target.batchSize;
  const seconds = durationNs / 1e9;
  const tuple = [samples, rate, seconds, target.batchSize] as [number, number, number, number];
  const result = Object.assign(tuple, {
    inf_completed: samples, inf_rate: rate, inf_time: seconds, batch_size: target.batchSize,
    infCompleted: samples, infRate: rate, infTime: seconds, batchSize: target.batchSize,
    details: { loadgen, warnings: [...warnings, ...verdict.reasons.map((r) => `INVALID: ${r}`)] },
  });
  if (args.emitWarnings !== false) {
    for (const w of result.details.warnings) process.emitWarning(`runBenchmark(${s.scenario}): ${w}`, { code: 'QAIC_BENCHMARK_WARNING', type: 'QaicWarning' });
  }
  return result;
}

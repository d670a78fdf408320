/**
 * Everything a session measures, behind the session's metric, benchmark and profiling methods: the latency store
 * fed by every `run()`, the profiler, and the last benchmark. `Session` delegates to this class so that its own
 * file stays about running inferences.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { QaicError } from '../errors.js';
import type { Dim, ValueSpec } from '../onnx/model.js';
import type { DType } from '../dtypes.js';
import type { Runtime } from '../runtime/runtime.js';
import type { RunObserver, RunTrace } from '../runtime/trace.js';
import type { ResolvedOptions } from '../options.js';
import { LatencyStore } from './latency-store.js';
import { nowNs } from '../runtime/clock.js';
import { buildReport, sessionMetrics, type MetricsReport, type PythonMetrics } from './report.js';
import { printMetricsLines } from './print-metrics.js';
import { histogramLog, metricsDocument, type MetricsDocument } from './export.js';
import type { ScenarioResult } from '../loadgen/scenarios.js';
import { resolveBenchmarkArgs, runBenchmarkOn, type BenchmarkArgs, type BenchmarkResult } from './benchmark.js';
import { randomInputs } from './random-inputs.js';
import { Profiler } from '../profiling/profiler.js';
import { formatStageTable } from '../profiling/stages.js';
import { formatOperatorTable, operatorTable, type OperatorRow } from '../profiling/ort-profile.js';
import { buildTrace, type TraceDocument } from '../profiling/trace-file.js';
import { formatUnitTimes, unitTimes } from '../profiling/units.js';
import type { PlacementReport } from '../runtime/placement.js';

/** What the measurements need from their session (all public on `Session`). */
export interface MeasuredSession {
  readonly options: ResolvedOptions;
  readonly source: { path: string };
  readonly batchSize: number;
  readonly profileDir: string;
  readonly modelInputShapeDict: Record<string, [Dim[], DType | string]>;
  /** the served graph `name` (the first when undefined): its index, input shapes, batch size and name */
  _graphIndex(name: string | undefined): { index: number; shapes: Record<string, [Dim[], DType | string]>; batchSize: number; name: string; load(): Promise<string> };
  /** the prepared graph, once there is one: which graphs it serves */
  readonly graph: { readonly auto: boolean; readonly graphs: ReadonlyArray<{ readonly name: string }> } | undefined;
  /** where onnxruntime placed the nodes, when compute units beyond the CPU are in use (`session.placement`) */
  readonly placement: PlacementReport | undefined;
  setup(): Promise<void>;
  observe(observer: RunObserver): () => void;
}

/** Metrics, benchmark and profiling state of one session. */
export class SessionMeasurements implements RunObserver {
  readonly store = new LatencyStore();
  readonly profiler: Profiler | undefined;
  lastBenchmark: BenchmarkResult | ScenarioResult | undefined;
  /**
   * Whether activations have run on a GPU (`compute_unit`): their first inferences, kept apart as on the CPU, then
   * include compiling the GPU's shaders, which the printout and the report say.
   */
  onGpu = false;
  readonly #session: MeasuredSession;
  /** the session's runtime now (undefined when not activated): the session keeps it private and lends this */
  readonly #runtime: () => Runtime | undefined;

  /**
   * @param session the measured session
   * @param runtime returns the session's current runtime (undefined while it has none)
   */
  constructor(session: MeasuredSession, runtime: () => Runtime | undefined) {
    this.#session = session;
    this.#runtime = runtime;
    const o = session.options;
    if (o.enable_profiling) this.profiler = new Profiler();
    if (o.enable_metrics || o.enable_profiling) {
      session.observe(this);
      if (this.profiler !== undefined) session.observe(this.profiler);
    }
  }

  /** Whether latencies are recorded (`enable_metrics` or `enable_profiling`). */
  get enabled(): boolean {
    return this.#session.options.enable_metrics || this.#session.options.enable_profiling;
  }

  onRun(t: RunTrace): void {
    if (!t.ok) {
      // counted, never timed: a failure's latency is not a service time
      const code = t.errorCode ?? 'QAIC_INTERNAL';
      this.store.recordFailure(code);
      if (t.graph !== undefined) this.#graphStore(t.graph).recordFailure(code);
      return;
    }
    if (t.activation < 0) return;
    this.store.record('e2e', t.activation, t.doneNs - t.callNs, t.first);
    this.store.record('queue', t.activation, Math.max(0, t.takenNs - t.validatedNs), t.first);
    this.store.record('ort', t.activation, Math.max(0, t.worker.runEnd - t.worker.runStart), t.first);
    if (t.graph !== undefined) {
      // a session serving several graphs (graph: 'auto'): each graph's latencies apart too, shapes differ in cost
      const store = this.#graphStore(t.graph);
      store.record('e2e', t.activation, t.doneNs - t.callNs, t.first);
      store.record('queue', t.activation, Math.max(0, t.takenNs - t.validatedNs), t.first);
      store.record('ort', t.activation, Math.max(0, t.worker.runEnd - t.worker.runStart), t.first);
    }
  }

  /** Latencies per graph, for sessions that serve several (`graph: 'auto'`); empty otherwise. */
  readonly graphStores = new Map<string, LatencyStore>();

  #graphStore(graph: string): LatencyStore {
    let store = this.graphStores.get(graph);
    if (store === undefined) this.graphStores.set(graph, (store = new LatencyStore()));
    return store;
  }

  #requireMetrics(method: string): void {
    if (!this.enabled) {
      throw new QaicError('QAIC_METRICS_DISABLED', `${method}() needs latencies, which are recorded only with the option 'enable_metrics: true' (or 'enable_profiling: true'); create the Session with one of them`, {
        details: { method, option: 'enable_metrics' },
      });
    }
  }

  #requireProfiling(method: string): Profiler {
    if (this.profiler === undefined) {
      throw new QaicError('QAIC_METRICS_DISABLED', `${method}() needs the option 'enable_profiling: true'; create the Session with it`, {
        details: { method, option: 'enable_profiling' },
      });
    }
    return this.profiler;
  }

  getMetrics(): PythonMetrics {
    this.#requireMetrics('getMetrics');
    return sessionMetrics(this.store, this.graphStores);
  }

  getMetricsReport(): MetricsReport {
    this.#requireMetrics('getMetricsReport');
    const report = buildReport(this.store, this.graphStores);
    if (this.onGpu && Object.keys(report.firstInference).length > 0) {
      report.warnings.push('firstInference: the activations ran on the GPU, so each first inference includes compiling its shaders; it is kept out of the stages and percentiles');
    }
    return report;
  }

  printMetrics(write: (line: string) => void): void {
    this.#requireMetrics('printMetrics');
    for (const line of printMetricsLines(this.store, this.graphStores, this.onGpu)) write(line);
  }

  metricsDocument(): MetricsDocument {
    this.#requireMetrics('exportMetrics');
    const options = { ...this.#session.options } as Record<string, unknown>;
    // the calibration inputs are data (possibly megabytes of tensors, or a spent iterator), not a setting
    if (options.calibration_inputs !== undefined) options.calibration_inputs = '(given)';
    return metricsDocument(this.store, { options, model: this.#session.source.path, benchmark: this.lastBenchmark === undefined ? undefined : benchmarkJson(this.lastBenchmark), graphs: this.graphStores });
  }

  exportMetrics(path: string): MetricsDocument {
    const doc = this.metricsDocument();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
    return doc;
  }

  histogramLog(): string {
    this.#requireMetrics('exportHistogramLog');
    return histogramLog(this.store, this.graphStores);
  }

  #benchmarking = false;

  async runBenchmark(args: BenchmarkArgs | undefined): Promise<BenchmarkResult> {
    const calledNs = nowNs();
    const resolved = resolveBenchmarkArgs(args);
    // Two loops in the same activations would each measure the other's load.
    if (this.#benchmarking) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', 'runBenchmark() is already running on this session: await it before starting another (two benchmarks in the same activations would measure each other)', {
        details: { method: 'runBenchmark' },
      });
    }
    this.#benchmarking = true;
    try {
      return await this.#runBenchmark(resolved, calledNs);
    } finally {
      this.#benchmarking = false;
    }
  }

  async #runBenchmark(resolved: ReturnType<typeof resolveBenchmarkArgs>, calledNs: number): Promise<BenchmarkResult> {
    await this.#session.setup();
    const runtime = this.#runtime();
    if (runtime === undefined) throw new QaicError('QAIC_ABORTED', 'runBenchmark(): the session was reset or closed while activating');
    // An activation that died is being replaced: wait for the replacement to load (or fail, within
    // activation_timeout_ms), so that a benchmark right after a crash measures every activation instead of failing
    // or quietly measuring fewer.
    await runtime.whenReady();
    // the graph asked for (the first by default): random inputs take its shapes
    const graph = this.#session._graphIndex(resolved.graph);
    const shapes = graph.shapes;
    const specs: ValueSpec[] = Object.entries(shapes).map(([name, [shape, dtype]]) => ({ name, dtype: dtype as DType, onnxType: 0, shape }));
    const result = await runBenchmarkOn({
      runtime,
      inputSpecs: specs,
      randomInputs: () => randomInputs(shapes),
      setSize: runtime.setSize,
      batchSize: graph.batchSize,
      graph: { index: graph.index, name: graph.name, ...(graph.index === 0 ? {} : { modelPath: await graph.load() }) },
      store: this.enabled ? this.store : undefined,
    }, resolved, calledNs);
    if (resolved.emitWarnings) for (const w of result.details.warnings) process.emitWarning(`runBenchmark(): ${w}`, { code: 'QAIC_BENCHMARK_WARNING', type: 'QaicWarning' });
    this.lastBenchmark = result;
    const d = result.details;
    if (d.latency.count > 0) d.harness.afterEnd = (nowNs() - calledNs) / 1e9 - d.harness.beforeStart - result.inf_time;
    return result;
  }

  /** The served graphs' names by index when the session serves several, to label each graph's profile. */
  #graphNames(): string[] | undefined {
    const graph = this.#session.graph;
    return graph?.auto === true ? graph.graphs.map((g) => g.name) : undefined;
  }

  async operatorRows(): Promise<OperatorRow[]> {
    const profiler = this.#requireProfiling('operatorTable');
    const profiles = await profiler.collect(this.#runtime(), this.#graphNames());
    return operatorTable(profiles.map((p) => p.events), this.#session.placement);
  }

  async printProfileData(n: number, write: (line: string) => void, maxOperators: number): Promise<void> {
    const profiler = this.#requireProfiling('printProfileData');
    if (!(Number.isSafeInteger(n) && n > 0)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `printProfileData(n): 'n' must be a positive integer (inferences to show), got ${String(n)}`, { details: { argument: 'n' } });
    }
    if (!(Number.isSafeInteger(maxOperators) && maxOperators > 0)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `printProfileData(): 'maxOperators' must be a positive integer (operator rows to show), got ${String(maxOperators)}`, { details: { argument: 'maxOperators' } });
    }
    const traces = profiler.traces;
    write(`Host stages of the first ${Math.min(n, traces.length)} inference(s) (times in s)`);
    if (traces.length === 0) write('(no inference has run yet)');
    for (const line of formatStageTable(traces, n)) write(line);
    const profiles = await profiler.collect(this.#runtime(), this.#graphNames());
    const placement = this.#session.placement;
    const rows = operatorTable(profiles.map((p) => p.events), placement);
    write('');
    write('onnxruntime operators, all activations (profiling ended now: onnxruntime cannot restart it in these activations)');
    if (rows.length === 0) write('(no operator events: no inference ran while profiling)');
    else for (const line of formatOperatorTable(rows, maxOperators)) write(line);
    // compute units beyond the CPU (a partition report exists): where the time went, per unit and per subnet
    if (placement !== undefined && rows.length > 0) {
      write('');
      for (const line of formatUnitTimes(unitTimes(profiles.map((p) => p.events), placement), maxOperators)) write(line);
    }
  }

  async trace(): Promise<TraceDocument> {
    const profiler = this.#requireProfiling('writeTrace');
    const profiles = await profiler.collect(this.#runtime(), this.#graphNames());
    return buildTrace(profiler.traces, profiles, this.#session.placement);
  }

  async writeTrace(path: string | undefined): Promise<string> {
    const doc = await this.trace();
    const file = path ?? join(this.#session.profileDir, 'trace.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }
}

/** A benchmark result as plain JSON (the tuple and its details). */
function benchmarkJson(r: BenchmarkResult | ScenarioResult): Record<string, unknown> {
  return { inf_completed: r.inf_completed, inf_rate: r.inf_rate, inf_time: r.inf_time, batch_size: r.batch_size, ...r.details };
}

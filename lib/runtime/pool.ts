/**
 * The worker-thread engine of the {@link Runtime} interface: the activations of a session and the dispatcher in
 * front of them.
 *
 * Each request goes to the ready activation with the fewest requests in flight (ties go to the lowest index).
 * An activation takes at most `set_size` requests in flight; beyond that, requests wait in one FIFO queue and are
 * handed out as answers come back. A dead activation is replaced in place; if its replacement cannot load, the
 * waiting requests are rejected with the reason instead of waiting forever.
 */
import type { PlacementReport } from './placement.js';
import { QaicError } from '../errors.js';
import { Activation, type ActivationResult } from './activation.js';
import { activationConfig } from './activation-config.js';
import { BENCH_SLOT, BENCH_SLOTS, type BenchResult } from './protocol.js';
import type { ActivationSamples, BenchmarkSpec, EndedProfile, RunRequest, Runtime, RuntimeSpec } from './runtime.js';
import { nowNs } from './clock.js';

/** A request as the pool sees it (the runtime's {@link RunRequest}). */
export type PoolRequest = RunRequest;

interface Waiting {
  request: PoolRequest;
  resolve: (result: ActivationResult) => void;
  reject: (error: QaicError) => void;
  onAbort: (() => void) | undefined;
  /** set once resolve or reject has been called */
  settled: boolean;
  /** the activation running it, once sent */
  activation: Activation | undefined;
  /** its id on {@link activation}, once sent (for `Activation.cancel`) */
  id: number | undefined;
  /** the `run_timeout` timer, when one is set */
  timer: ReturnType<typeof setTimeout> | undefined;
}

function abortError(signal: AbortSignal): QaicError {
  return new QaicError('QAIC_ABORTED', 'run() was aborted by its AbortSignal', { cause: signal.reason });
}

/** A set of worker-thread activations plus the dispatcher. */
export class ActivationPool implements Runtime {
  #config: RuntimeSpec;
  #activations: (Activation | undefined)[] = [];
  #queue: Waiting[] = [];
  #replacing = new Map<number, Promise<void>>();
  /** Activations still loading their graph: stop() must end them too, not wait for a slow load. */
  #starting = new Set<Activation>();
  #stopped = false;
  /** why the last replacement failed: the answer for requests when no activation is left */
  #lostReason: QaicError | undefined;
  /**
   * Graphs whose load on first use overran `activation_timeout_ms`, with the error their runs got. A load that hung
   * once is likely to hang again (a stalled file system, a blocked file), and each try costs an activation and
   * `activation_timeout_ms`: such a graph's runs fail at once until the runtime is rebuilt (`reset()`).
   */
  readonly #hungGraphs = new Map<number, QaicError>();
  /** callers of {@link whenIdle} still waiting */
  #idleWaiters: Array<() => void> = [];
  /** callers of {@link whenReady} still waiting */
  #readyWaiters: Array<() => void> = [];

  constructor(spec: RuntimeSpec) {
    this.#config = spec;
  }

  /** The live activations (for diagnostics and tests). */
  get activations(): readonly Activation[] {
    return this.#activations.filter((a): a is Activation => a !== undefined);
  }

  /** Requests waiting for a free slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Requests in flight across activations. */
  get inFlight(): number {
    return this.activations.reduce((n, a) => n + a.inFlight, 0);
  }

  /** See {@link Runtime.placement}: what activation 0 measured. */
  get placement(): { report?: PlacementReport | undefined; error?: string | undefined } {
    const first = this.#activations[0];
    return { report: first?.placement, error: first?.placementError };
  }

  get setSize(): number {
    return this.#config.setSize;
  }

  /**
   * Start every activation. If any fails to load, all are stopped and the first failure is thrown.
   */
  async start(): Promise<void> {
    const starts: Promise<Activation>[] = [];
    for (let i = 0; i < this.#config.numActivations; i++) starts.push(this.#startOne(i));
    const settled = await Promise.allSettled(starts);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure !== undefined) {
      await this.stop(new QaicError('QAIC_ABORTED', 'activation failed'));
      throw failure.reason;
    }
  }

  async #startOne(index: number): Promise<Activation> {
    const activation = new Activation(activationConfig(this.#config, index), (a, e) => this.#onDeath(a, e), this.#config.isolation ?? 'thread', this.#config.engine ?? 'worker');
    this.#starting.add(activation);
    try {
      await activation.start(this.#config.timeoutMs);
    } catch (error) {
      if (this.#stopped) throw new QaicError('QAIC_ABORTED', 'the session was reset or closed while activating', { cause: error });
      throw error;
    } finally {
      this.#starting.delete(activation);
      // a start() in progress counts as loading until its promise settles: see #notifyReady
      queueMicrotask(() => this.#notifyReady());
    }
    if (this.#stopped) {
      await activation.stop(new QaicError('QAIC_ABORTED', 'session reset while activating'));
      throw new QaicError('QAIC_ABORTED', 'the session was reset or closed while activating');
    }
    this.#activations[index] = activation;
    return activation;
  }

  #onDeath(activation: Activation, error: QaicError): void {
    if (this.#stopped) return;
    const hung = activation.hungGraph;
    if (hung !== undefined && !this.#hungGraphs.has(hung.graph)) {
      this.#hungGraphs.set(hung.graph, hung.error);
      // the graph's requests still waiting would only hang the next activation the same way
      for (const waiting of this.#queue.filter((w) => (w.request.graph ?? 0) === hung.graph)) {
        this.#queue.splice(this.#queue.indexOf(waiting), 1);
        this.#settle(waiting, this.#hungGraphError(hung.graph)!);
      }
    }
    if (this.#activations[activation.index] === activation) this.#activations[activation.index] = undefined;
    this.#config.onActivationDeath?.(activation.index, error);
    const replacement = this.#startOne(activation.index).then(
      () => {
        this.#replacing.delete(activation.index);
        this.#pump();
        this.#notifyReady();
      },
      (failure: unknown) => {
        this.#replacing.delete(activation.index);
        this.#lostReason = failure instanceof QaicError ? failure : new QaicError('QAIC_ACTIVATION_FAILED', String(failure));
        // No activation may come back for the waiting requests: reject them rather than leave them pending.
        if (this.#exhausted()) {
          for (const w of this.#queue.splice(0)) this.#settle(w, this.#lostReason);
          this.#notifyIdle();
        }
        this.#notifyReady();
      },
    );
    this.#replacing.set(activation.index, replacement);
  }

  /** The error for a run of `graph` when its load on first use hung before (see {@link #hungGraphs}), else undefined. */
  #hungGraphError(graph: number): QaicError | undefined {
    const hung = this.#hungGraphs.get(graph);
    if (hung === undefined) return undefined;
    return new QaicError('QAIC_TIMEOUT', `graph ${graph} is not loaded again until reset(): its load on first use overran activation_timeout_ms before (${hung.message})`, {
      cause: hung, details: { ...hung.details, graph },
    });
  }

  /** True when no activation is alive, loading or being replaced: nothing will ever take a request. */
  #exhausted(): boolean {
    return this.activations.length === 0 && this.#replacing.size === 0 && this.#starting.size === 0;
  }

  /**
   * Dispatch one request, without a promise of its own (`Session.run()` settles its own): exactly one of `resolve`
   * and `reject` is called, once, with the activation's answer, possibly before this returns (when the request is
   * refused at once).
   */
  dispatch(request: PoolRequest, resolve: (result: ActivationResult) => void, reject: (error: QaicError) => void): void {
    if (this.#stopped) {
      reject(new QaicError('QAIC_ABORTED', 'the session was reset or closed'));
      return;
    }
    if (this.#lostReason !== undefined && this.#exhausted()) {
      reject(new QaicError('QAIC_ACTIVATION_FAILED', `no activation is left: the last one died and could not be replaced (${this.#lostReason.message}); reset() the session to activate again`, {
        cause: this.#lostReason,
        details: { ...this.#lostReason.details },
      }));
      return;
    }
    const hung = this.#hungGraphError(request.graph ?? 0);
    if (hung !== undefined) {
      reject(hung);
      return;
    }
    const signal = request.signal;
    if (signal?.aborted === true) {
      reject(abortError(signal));
      return;
    }
    const waiting: Waiting = { request, resolve, reject, onAbort: undefined, settled: false, activation: undefined, id: undefined, timer: undefined };
    if (signal !== undefined) {
      waiting.onAbort = () => this.#end(waiting, abortError(signal), 'to end a run aborted by its AbortSignal');
      signal.addEventListener('abort', waiting.onAbort, { once: true });
    }
    const timeoutMs = this.#config.runTimeoutMs ?? 0;
    if (timeoutMs > 0) {
      waiting.timer = setTimeout(() => {
        const where = waiting.activation === undefined ? 'waiting for a free activation' : `on activation ${waiting.activation.index}`;
        this.#end(waiting, new QaicError('QAIC_TIMEOUT', `run() did not finish within run_timeout (${timeoutMs} ms); it was ${where}`, {
          details: { option: 'run_timeout', timeoutMs },
        }), `to end a run that overran run_timeout (${timeoutMs} ms)`);
      }, timeoutMs);
    }
    if (this.#queue.length === 0) {
      // nothing waits ahead of it: hand it straight to a free activation, if any, without a trip through the queue
      const activation = this.#pickActivation();
      if (activation !== undefined) {
        this.#send(activation, waiting);
        return;
      }
    }
    this.#queue.push(waiting);
    this.#pump();
  }

  /**
   * End a request before its answer (abort, `run_timeout`): a queued one leaves the queue; an in-flight one is
   * rejected now and its result dropped on arrival. A native activation terminates the inference inside onnxruntime
   * and frees its slot within milliseconds. A worker-thread activation cannot interrupt it, so it keeps its slot
   * until the inference returns; a process activation is killed (`because` says why), which ends the inference
   * however long it would run, and is replaced. Its other requests in flight are rejected with
   * `QAIC_ACTIVATION_CRASHED` naming the reason.
   */
  #end(waiting: Waiting, error: QaicError, because: string): void {
    if (waiting.settled) return;
    const at = this.#queue.indexOf(waiting);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#settle(waiting, error);
    const activation = waiting.activation;
    if (activation !== undefined && !activation.kill(because) && waiting.id !== undefined) activation.cancel(waiting.id);
    this.#notifyIdle();
  }

  #settle(waiting: Waiting, outcome: ActivationResult | QaicError): void {
    // settle once: later outcomes (an aborted request's result) are dropped
    if (waiting.settled) return;
    waiting.settled = true;
    if (waiting.timer !== undefined) clearTimeout(waiting.timer);
    if (waiting.onAbort !== undefined) {
      waiting.request.signal?.removeEventListener('abort', waiting.onAbort);
      waiting.onAbort = undefined;
    }
    if (outcome instanceof QaicError) waiting.reject(outcome);
    else waiting.resolve(outcome);
  }

  #pickActivation(): Activation | undefined {
    let best: Activation | undefined;
    const activations = this.#activations;
    for (let i = 0; i < activations.length; i++) {
      const a = activations[i];
      if (a === undefined || a.state !== 'ready' || a.inFlight >= this.#config.setSize) continue;
      if (best === undefined || a.inFlight < best.inFlight) best = a;
    }
    return best;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const activation = this.#pickActivation();
      if (activation === undefined) return;
      this.#send(activation, this.#queue.shift()!);
    }
  }

  #send(activation: Activation, waiting: Waiting): void {
    const request = waiting.request;
    request.takenNs = nowNs();
    request.activation = activation.index;
    waiting.activation = activation;
    waiting.id = activation.send(request.feeds, request.transfer, (result) => this.#done(waiting, result), (error) => this.#done(waiting, error), request);
    request.sentNs = nowNs();
  }

  /** An activation answered `waiting` (or could not send it): settle it and hand the freed slot on. */
  #done(waiting: Waiting, outcome: ActivationResult | QaicError): void {
    this.#settle(waiting, outcome);
    this.#pump();
    this.#notifyIdle();
  }

  /**
   * Resolves once no request is waiting or in flight (at once when none is), or when the pool is stopped. Used to
   * let requests finish on activations that are being replaced.
   */
  whenIdle(): Promise<void> {
    if (this.#stopped || (this.#queue.length === 0 && this.inFlight === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    if (!this.#stopped && (this.#queue.length > 0 || this.inFlight > 0)) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** True when no activation is loading or being replaced, or the pool is stopped. */
  #settledLoading(): boolean {
    return this.#stopped || (this.#starting.size === 0 && this.#replacing.size === 0);
  }

  /**
   * Resolves once no activation is loading or being replaced (at once when none is), or when the pool is stopped.
   * After a crash this waits for the replacement to load (or to fail, bounded by `timeoutMs`), so a benchmark
   * right after it measures every activation.
   */
  whenReady(): Promise<void> {
    if (this.#settledLoading()) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  #notifyReady(): void {
    if (this.#readyWaiters.length === 0 || !this.#settledLoading()) return;
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  /**
   * Stop all activations. Requests in flight or waiting are rejected with `error`.
   */
  async stop(error: QaicError): Promise<void> {
    this.#stopped = true;
    for (const w of this.#queue.splice(0)) this.#settle(w, error);
    this.#notifyIdle();
    this.#notifyReady();
    const all = [...this.#activations.filter((a): a is Activation => a !== undefined), ...this.#starting];
    this.#activations = [];
    await Promise.all(all.map((a) => a.stop(error)));
    await Promise.allSettled([...this.#replacing.values()]);
  }

  /** Change the per-activation in-flight cap; waiting requests are dispatched at once if it grew. */
  setSetSize(setSize: number): void {
    this.#config = { ...this.#config, setSize };
    this.#pump();
  }

  /**
   * Run the benchmark loop inside every ready activation at once (see `runBenchmarkLoop` in worker.ts): they
   * share one control array (a barrier after warm-up, the count left to claim, an abort flag and the progress
   * counter), so they measure together and stop together. Any failure raises the abort flag so the others stop.
   */
  async runBenchmark(spec: BenchmarkSpec): Promise<ActivationSamples[]> {
    if (this.#stopped) throw new QaicError('QAIC_ABORTED', 'runBenchmark(): the session was reset or closed');
    const hung = this.#hungGraphError(spec.graph ?? 0);
    if (hung !== undefined) throw hung;
    const activations = this.activations.filter((a) => a.state === 'ready');
    if (activations.length === 0) throw new QaicError('QAIC_ACTIVATION_FAILED', 'runBenchmark(): no activation is ready');
    const control = new Int32Array(new SharedArrayBuffer(4 * BENCH_SLOTS));
    control[BENCH_SLOT.remaining] = spec.mode === 'count' ? spec.count : 0x7fffffff;
    const abort = (): void => {
      Atomics.store(control, BENCH_SLOT.abort, 1);
      Atomics.notify(control, BENCH_SLOT.go);
    };
    // Progress comes from the shared counter the activations bump, read on the caller's own timer: no messages, and
    // one consistent total per report.
    const progress = spec.progress;
    const timer = progress === undefined ? undefined : setInterval(() => progress.report(Atomics.load(control, BENCH_SLOT.completed)), progress.everyMs);
    const loop = {
      feeds: spec.feeds, warmup: spec.warmup, depth: spec.depth, seconds: spec.mode === 'time' ? spec.seconds : 0,
      parties: activations.length, control: control.buffer as SharedArrayBuffer,
      ...(spec.graph === undefined || spec.graph === 0 ? {} : { graph: spec.graph }),
      ...(spec.modelPath === undefined ? {} : { modelPath: spec.modelPath }),
    };
    try {
      const results = await Promise.all(activations.map((activation) => activation.benchmark(loop).catch((error: unknown) => {
        abort();
        throw benchmarkFailure(activation, error);
      })));
      const samples = results.map((r, i) => samplesOf(activations[i]!.index, r));
      // A last report with the final count: a run shorter than one period would otherwise report nothing, and the
      // live display would end short of the result it is followed by.
      progress?.report(samples.reduce((n, s) => n + s.count, 0));
      return samples;
    } catch (error) {
      abort();
      throw error;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * End onnxruntime profiling in every ready activation that has not ended it yet and return the files written;
   * activations that ended theirs before (or whose replacements started since) are not asked again.
   */
  endProfiling(): Promise<EndedProfile[]> {
    const now = this.activations.filter((a) => a.state === 'ready' && !a.profilingEnded);
    return Promise.all(now.map(async (a) => {
      const ended = await a.endProfiling();
      return [
        { activation: a.index, file: ended.file, createStartNs: a.startTimes?.createStartNs ?? 0 },
        ...ended.graphs.map((g) => ({ activation: a.index, graph: g.graph, file: g.file, createStartNs: g.createStartNs })),
      ];
    })).then((lists) => lists.flat());
  }
}

/** The error a benchmark reports for `activation`: why it stopped or died, else the activation's own error. */
function benchmarkFailure(activation: Activation, error: unknown): unknown {
  // the graph benchmarked did not load in time: the activation is dead because of it, and that is the reason to give
  if (error instanceof QaicError && error.code === 'QAIC_TIMEOUT') return error;
  if (activation.state === 'stopped') {
    return new QaicError('QAIC_ABORTED', `runBenchmark(): the session was reset or closed during the benchmark (activation ${activation.index} stopped)`, { cause: error });
  }
  if (activation.state === 'dead') {
    return new QaicError('QAIC_ACTIVATION_CRASHED', `runBenchmark(): activation ${activation.index} died during the benchmark (${activation.state})`, {
      cause: error, details: { activation: activation.index },
    });
  }
  return error;
}

function samplesOf(activation: number, r: BenchResult): ActivationSamples {
  return { activation, count: r.count, startNs: r.startNs, endNs: r.endNs, samplesNs: r.samplesNs, warmupNs: r.warmupNs };
}

/**
 * One activation, seen from the main thread: a worker thread holding one onnxruntime session of one graph.
 *
 * It owns the worker's lifecycle (start with a ready handshake and a timeout, stop), the requests in flight on it,
 * and its failure: a worker that dies rejects every request in flight with `QAIC_ACTIVATION_CRASHED` and reports
 * itself dead so the pool can replace it. A request is never left pending.
 */
import type { PlacementReport } from './placement.js';
import type { Worker } from 'node:worker_threads';
import { QaicError, deserializeError } from '../errors.js';
import type { WireTensor } from '../tensor.js';
import type { ActivationConfig, BenchRequest, BenchResult, CRASH_EXIT_CODE, FromWorker, GraphProfile, PrunedRoute, ToWorker } from './protocol.js';
import type { RunResult } from './runtime.js';
import { nowNs } from './clock.js';
import { startWorker } from '../workers/worker-exec-argv.js';
import { ChildWorker, type ActivationWorker } from './child-worker.js';
import { abandonThread } from './stuck-threads.js';
import { NativeWorker } from './native-worker.js';
import type { Engine } from './engine.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** What a finished inference hands back to the pool (the runtime's {@link RunResult}). */
export type ActivationResult = RunResult;

/** A benchmark loop's parameters as one activation receives them (the id is the activation's). */
export type BenchmarkLoop = Omit<BenchRequest, 'type' | 'id'>;

interface Pending {
  resolve: (result: ActivationResult) => void;
  reject: (error: QaicError) => void;
  first: boolean;
  /** the graph it runs (see `ActivationConfig.graphs`), so that a graph whose load overran fails its own requests */
  graph: number;
}

/** Timings of an activation's start, in milliseconds. */
export interface ActivationStartTimes {
  /** worker spawn to graph loaded (import onnxruntime + create session), measured in the worker */
  loadMs: number;
  /** onnxruntime `InferenceSession.create` alone */
  createMs: number;
  /** `start()` call to ready, on the main thread */
  totalMs: number;
  /** process-wide monotonic ns just before onnxruntime's session create (anchors its profile timestamps) */
  createStartNs?: number | undefined;
}

/**
 * How long `stop()` waits for a worker to exit before it stops waiting (ms): a worker busy in an inference that never
 * returns cannot exit, and a thread cannot be killed (see worker.ts). A child process is killed instead. Generous,
 * because a thread left behind still running at exit ends the process with SIGKILL (see stuck-threads.ts): a slow
 * but finite inference should finish within it.
 */
export const CLOSE_WAIT_MS = 10_000;

/** Where an activation runs: a worker thread of this process, or a child process (`isolation`). */
export type Isolation = 'thread' | 'process';

/** The profiles an activation wrote when its profiling ended (see {@link Activation.endProfiling}). */
export interface EndedProfiles {
  /** graph 0's profile file, if onnxruntime wrote one */
  file: string | undefined;
  /** the profiles of the graphs loaded on first use while profiling */
  graphs: GraphProfile[];
}

/** One activation: a worker thread, in this process or inside a child process of its own. */
export class Activation {
  readonly index: number;
  /** where it runs (see {@link Isolation}) */
  readonly isolation: Isolation;
  /** what runs it: a worker thread (or child process) with onnxruntime-node, or a native thread (see engine.ts) */
  readonly engine: Engine;
  #worker: ActivationWorker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #state: 'idle' | 'starting' | 'ready' | 'dead' | 'stopped' = 'idle';
  #completed = 0;
  /** graphs this activation has been sent a run of (see `send`) */
  /** graphs this activation has run (by index), and graphs pruned to output sets (by `<graph>:<key>`) */
  readonly #graphsRun = new Set<number | string>();
  #onDeath: (activation: Activation, error: QaicError) => void;
  #config: ActivationConfig;
  #profileWaiters: Array<{ resolve: (ended: EndedProfiles) => void; reject: (error: QaicError) => void }> = [];
  /** whether {@link endProfiling} was asked for (onnxruntime cannot restart profiling) */
  #profilingEnded = false;
  /** resolves with the worker's exit code once its thread has ended */
  #exited: Promise<number> | undefined;
  /** benchmark loops running in the worker, by id (they keep the process alive like requests in flight do) */
  #benchmarks = new Map<number, { resolve: (result: BenchResult) => void; reject: (error: QaicError) => void; graph: number }>();
  /** `activation_timeout_ms`, as given to {@link start}: it bounds the graphs loaded on first use too */
  #timeoutMs = 0;
  /** graphs the worker is loading on first use, each with the timer that bounds its load */
  readonly #graphLoads = new Map<number, ReturnType<typeof setTimeout>>();
  /** one Int32 slot shared with the worker for {@link killForTesting} */
  readonly #faults = new SharedArrayBuffer(4);
  startTimes: ActivationStartTimes | undefined;
  /** CPUs the worker thread is pinned to (as the OS reports them after pinning); undefined when not pinned */
  pinnedCpus: number[] | undefined;
  /** why the worker is not pinned although CPUs were asked for (the addon is missing or unsupported) */
  pinningOff: string | undefined;
  /** where onnxruntime placed the graph's nodes, when this activation measured it (see `ActivationConfig.placement`) */
  placement: PlacementReport | undefined;
  /** why the placement could not be measured, when it was asked for */
  placementError: string | undefined;
  /**
   * The graph whose load on first use overran `activation_timeout_ms` on this activation, with the `QAIC_TIMEOUT` its
   * runs got; set just before the activation reports itself dead, so that the pool stops sending that graph anywhere.
   */
  hungGraph: { graph: number; error: QaicError } | undefined;

  constructor(config: ActivationConfig, onDeath: (activation: Activation, error: QaicError) => void, isolation: Isolation = 'thread', engine: Engine = 'worker') {
    this.index = config.index;
    this.isolation = isolation;
    this.engine = engine;
    this.#config = config;
    this.#onDeath = onDeath;
  }

  /** Requests sent to this activation and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Inferences this activation has completed (successfully or not). */
  get completed(): number {
    return this.#completed;
  }

  get state(): 'idle' | 'starting' | 'ready' | 'dead' | 'stopped' {
    return this.#state;
  }

  /** What this activation was started with: model path and onnxruntime session options (for diagnostics and tests). */
  get config(): Readonly<ActivationConfig> {
    return this.#config;
  }

  /** The worker's thread id (for tests and diagnostics); -1 when not running. */
  get threadId(): number {
    return this.#worker?.threadId ?? -1;
  }

  /**
   * Start the worker and wait until its graph is loaded.
   *
   * @throws QaicError `QAIC_ACTIVATION_FAILED` with onnxruntime's reason when the graph cannot be loaded,
   *   `QAIC_TIMEOUT` when loading takes longer than `timeoutMs`.
   */
  start(timeoutMs: number): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new QaicError('QAIC_INTERNAL', `activation ${this.index} started twice`));
    this.#state = 'starting';
    this.#timeoutMs = timeoutMs;
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: QaicError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#state !== 'stopped') this.#state = 'dead';
        // a load that timed out may never come back: do not let its thread keep the process alive
        void this.#close(false);
        reject(error);
      };
      let worker: ActivationWorker;
      try {
        const config = { ...this.#config, faults: this.#faults };
        worker = this.engine === 'native'
          ? new NativeWorker(config)
          : this.isolation === 'process'
          ? new ChildWorker(config)
          : startWorker(WORKER_URL, { workerData: config, stdout: false, stderr: false }) as Worker as unknown as ActivationWorker;
      } catch (error) {
        // no thread was started: nothing to stop
        this.#state = 'dead';
        reject(new QaicError('QAIC_ACTIVATION_FAILED', `activation ${this.index} could not start its ${this.engine === 'native' ? 'native thread' : this.isolation === 'process' ? 'child process' : 'worker thread'}: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
          details: { activation: this.index },
        }));
        return;
      }
      this.#worker = worker;
      const timer = setTimeout(() => {
        fail(new QaicError('QAIC_TIMEOUT', `activation ${this.index} did not load '${this.#config.modelPath}' within ${timeoutMs} ms (activation_timeout_ms)`, {
          details: { activation: this.index, file: this.#config.modelPath },
        }));
      }, timeoutMs);
      worker.on('message', (message: FromWorker) => {
        if (!settled) {
          if (message.type === 'ready') {
            settled = true;
            clearTimeout(timer);
            this.#state = 'ready';
            this.startTimes = { loadMs: message.loadMs, createMs: message.createMs, totalMs: performance.now() - t0, createStartNs: message.createStartNs };
            this.pinnedCpus = message.pinned;
            this.pinningOff = message.pinningOff;
            this.placement = message.placement;
            this.placementError = message.placementError;
            this.#updateRef();
            resolve();
          } else if (message.type === 'load-failed') {
            const reason = deserializeError(message.error, 'QAIC_ACTIVATION_FAILED');
            // a mandatory compute_unit list that cannot run the graph is an option error, not a broken model
            if (reason.code === 'QAIC_COMPUTE_UNIT_UNAVAILABLE') return fail(reason);
            fail(new QaicError('QAIC_ACTIVATION_FAILED', `activation ${this.index} could not load '${this.#config.modelPath}': ${reason.message}`, {
              cause: reason,
              details: { activation: this.index, file: this.#config.modelPath },
            }));
          }
          return;
        }
        this.#onMessage(message);
      });
      worker.on('error', (error) => {
        const wrapped = new QaicError(settled ? 'QAIC_ACTIVATION_CRASHED' : 'QAIC_ACTIVATION_FAILED', `activation ${this.index} ${settled ? 'crashed' : 'failed to start'}: ${error.message}`, {
          cause: error,
          details: { activation: this.index },
        });
        if (!settled) fail(wrapped);
        else this.#die(wrapped);
      });
      worker.on('exit', (code) => {
        const error = new QaicError(settled ? 'QAIC_ACTIVATION_CRASHED' : 'QAIC_ACTIVATION_FAILED', `activation ${this.index}'s worker thread exited (code ${code})${settled ? ` with ${this.#pending.size} request(s) in flight` : ' before its graph was loaded'}`, {
          details: { activation: this.index, exitCode: code },
        });
        if (!settled) fail(error);
        else this.#die(error);
      });
      this.#exited = new Promise((resolve) => worker.once('exit', resolve));
    });
  }

  /**
   * An idle activation must not keep the process alive (a session the user forgot to close would otherwise hang
   * the process at exit): the worker is referenced only while it loads or has work the caller waits for.
   */
  #updateRef(): void {
    const worker = this.#worker;
    if (worker === undefined || this.#state !== 'ready') return;
    if (this.#pending.size > 0 || this.#profileWaiters.length > 0 || this.#benchmarks.size > 0) worker.ref();
    else worker.unref();
  }

  /**
   * Ask the worker to exit and wait until it has. Never `terminate()`: see worker.ts (it aborts the process when
   * it lands inside an inference). The worker exits as soon as the inference it is running, if any, returns.
   * `keepAlive` false lets the process exit meanwhile (for a load that may never return).
   */
  async #close(keepAlive: boolean): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined || worker.threadId === -1) return;
    if (worker instanceof ChildWorker && !keepAlive) {
      // a load that timed out (or an activation whose work is dropped): nothing is lost by ending it at once
      worker.kill('because its activation was stopped');
      await this.#exited;
      return;
    }
    // before the close: a native activation takes no ref() or unref() once closed, and its exit must be awaited ref'd
    if (keepAlive) worker.ref();
    else worker.unref();
    try {
      worker.postMessage({ type: 'close' } satisfies ToWorker);
    } catch {
      // the port is already closed: the thread is exiting
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS, 'late');
      timer.unref();
    });
    const outcome = await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    if (outcome !== 'late') return;
    if (worker instanceof ChildWorker) {
      worker.kill(`because it did not exit within ${CLOSE_WAIT_MS} ms of being stopped`);
      await this.#exited;
    } else {
      // Busy inside onnxruntime (an inference that may never return): a thread cannot be stopped there. Stop waiting,
      // and let the process exit without it (see stuck-threads.ts); the thread exits by itself if the inference returns.
      abandonThread(worker);
    }
  }

  /**
   * End a process activation now, even inside an inference that never returns; its requests in flight are
   * rejected with `QAIC_ACTIVATION_CRASHED` naming `because`, and it reports itself dead (the pool replaces it).
   * Returns false for a thread activation, which cannot be ended inside onnxruntime (see worker.ts).
   */
  kill(because: string): boolean {
    const worker = this.#worker;
    if (!(worker instanceof ChildWorker)) return false;
    worker.kill(because);
    // dead from now on, not when the exit arrives: no request may be dispatched to a child that is being killed
    this.#die(new QaicError('QAIC_ACTIVATION_CRASHED', `activation ${this.index}'s child process was killed ${because}`, {
      details: { activation: this.index },
    }));
    return true;
  }

  /**
   * End request `id` (as {@link send} returned it) inside the engine, when the engine can (the native engine
   * terminates the inference in onnxruntime): its slot is freed as soon as the engine confirms, within milliseconds,
   * instead of when the inference would have returned. The request's caller must already have been answered (the
   * pool rejects an aborted or timed-out request first): the engine's answer for it is dropped. Returns false when the
   * engine cannot cancel (a worker thread) or no longer holds the request.
   */
  cancel(id: number): boolean {
    const worker = this.#worker;
    if (worker?.cancel === undefined || !this.#pending.has(id)) return false;
    return worker.cancel(id);
  }

  #onMessage(message: FromWorker): void {
    if (message.type === 'result' || message.type === 'run-failed') {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      this.#completed++;
      this.#updateRef();
      if (message.type === 'result') {
        pending.resolve({ outputs: message.outputs, times: message.times, receivedNs: nowNs(), first: pending.first });
      } else {
        const reason = deserializeError(message.error, 'QAIC_RUN_FAILED');
        pending.reject(reason.code === 'QAIC_RUN_FAILED' && reason.cause !== undefined
          ? new QaicError('QAIC_RUN_FAILED', `activation ${this.index}: onnxruntime rejected the inference: ${reason.message}`, { cause: reason.cause, details: { activation: this.index } })
          : reason);
      }
    } else if (message.type === 'bench-result') {
      const waiter = this.#benchmarks.get(message.id);
      if (waiter === undefined) return;
      this.#benchmarks.delete(message.id);
      this.#updateRef();
      if (message.error !== undefined) waiter.reject(deserializeError(message.error, 'QAIC_RUN_FAILED'));
      else waiter.resolve(message);
    } else if (message.type === 'profile') {
      const waiter = this.#profileWaiters.shift();
      this.#updateRef();
      if (waiter === undefined) return;
      if (message.error !== undefined) waiter.reject(deserializeError(message.error, 'QAIC_INTERNAL'));
      else waiter.resolve({ file: message.file, graphs: message.graphs ?? [] });
    } else if (message.type === 'graph-loading') {
      clearTimeout(this.#graphLoads.get(message.graph));
      this.#graphLoads.set(message.graph, setTimeout(() => this.#graphLoadOverran(message.graph, message.file), this.#timeoutMs));
    } else if (message.type === 'graph-loaded') {
      clearTimeout(this.#graphLoads.get(message.graph));
      this.#graphLoads.delete(message.graph);
    }
  }

  /**
   * A graph's load on first use outlasted `activation_timeout_ms`. onnxruntime loads on the worker's thread and
   * cannot be interrupted there, so nothing else this activation was sent can be answered before the load returns,
   * if it ever does: that graph's requests are rejected with `QAIC_TIMEOUT`, the others in flight with
   * `QAIC_ACTIVATION_CRASHED`, and the activation reports itself dead (the pool replaces it, as after a crash) and
   * is stopped (a child process is killed; a thread exits when the load returns, and does not hold the process).
   */
  #graphLoadOverran(graph: number, file: string): void {
    this.#graphLoads.delete(graph);
    if (this.#state !== 'ready') return;
    const ms = this.#timeoutMs;
    const timeout = new QaicError('QAIC_TIMEOUT', `activation ${this.index} did not load graph ${graph} ('${file}') on its first use within ${ms} ms (activation_timeout_ms)`, {
      details: { option: 'activation_timeout_ms', timeoutMs: ms, activation: this.index, graph, file },
    });
    const retired = new QaicError('QAIC_ACTIVATION_CRASHED', `activation ${this.index} was replaced: its load of graph ${graph} on first use overran activation_timeout_ms (${ms} ms), and nothing it was sent after it could be answered`, {
      details: { activation: this.index, graph },
    });
    this.hungGraph = { graph, error: timeout };
    this.#die(retired, { graph, error: timeout });
    void this.#close(false);
  }

  #clearGraphLoads(): void {
    for (const timer of this.#graphLoads.values()) clearTimeout(timer);
    this.#graphLoads.clear();
  }

  /**
   * Run the benchmark loop in the worker (see `runBenchmarkLoop` in worker.ts); resolves with what it measured.
   * Rejects with the worker's error, or with the stop/crash error when the activation stops or dies meanwhile
   * (its {@link state} then says which). The feeds are cloned, never transferred: the caller's buffers stay usable.
   */
  benchmark(loop: BenchmarkLoop): Promise<BenchResult> {
    const worker = this.#worker;
    if (this.#state !== 'ready' || worker === undefined) {
      return Promise.reject(new QaicError('QAIC_INTERNAL', `activation ${this.index} is ${this.#state}, not ready`));
    }
    const id = this.#nextId++;
    return new Promise<BenchResult>((resolve, reject) => {
      this.#benchmarks.set(id, { resolve, reject, graph: loop.graph ?? 0 });
      try {
        worker.postMessage({ type: 'bench', id, ...loop } satisfies ToWorker);
      } catch (error) {
        this.#benchmarks.delete(id);
        reject(new QaicError('QAIC_INTERNAL', `activation ${this.index}: the benchmark could not be sent to the worker: ${(error as Error).message}`, { cause: error }));
        return;
      }
      this.#updateRef();
    });
  }

  /**
   * Dead from now on (before any request is rejected: a rejection frees a pool slot, and nothing may be sent here any
   * more): everything waiting is rejected with `error`, or for a graph whose load overran (`timedOut`), that graph's
   * requests with its error, which is then also the reason reported.
   */
  #die(error: QaicError, timedOut?: { graph: number; error: QaicError }): void {
    if (this.#state === 'dead' || this.#state === 'stopped') return;
    this.#state = 'dead';
    this.#clearGraphLoads();
    this.#rejectAll(error, timedOut);
    this.#onDeath(this, timedOut?.error ?? error);
  }

  #rejectAll(error: QaicError, timedOut?: { graph: number; error: QaicError }): void {
    const errorFor = (graph: number): QaicError => (timedOut !== undefined && graph === timedOut.graph ? timedOut.error : error);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(errorFor(p.graph));
    for (const w of this.#profileWaiters.splice(0)) w.reject(error);
    const benchmarks = [...this.#benchmarks.values()];
    this.#benchmarks.clear();
    for (const b of benchmarks) b.reject(errorFor(b.graph));
  }

  /** Send one inference. The feeds' buffers listed in `transfer` are detached from the caller. */
  run(feeds: WireTensor[], transfer: ArrayBuffer[]): Promise<ActivationResult> {
    return new Promise<ActivationResult>((resolve, reject) => this.send(feeds, transfer, resolve, reject));
  }

  /**
   * {@link run} without a promise of its own: exactly one of `resolve` and `reject` is called, once, when the
   * answer arrives (or at once when nothing could be sent). The pool uses it so that a request is settled by one
   * promise, not by a chain of them. `route` names the graph to run (an index, see `ActivationConfig.graphs`) and
   * the outputs to fetch.
   */
  send(
    feeds: WireTensor[], transfer: ArrayBuffer[], resolve: (result: ActivationResult) => void, reject: (error: QaicError) => void,
    route?: { graph?: number | undefined; outputs?: readonly string[] | undefined; modelPath?: string | undefined; pruned?: PrunedRoute | undefined },
  ): number | undefined {
    const worker = this.#worker;
    if (this.#state !== 'ready' || worker === undefined) {
      reject(new QaicError('QAIC_INTERNAL', `activation ${this.index} is ${this.#state}, not ready`));
      return undefined;
    }
    const id = this.#nextId++;
    const pending = this.#pending;
    // the first run of each graph carries one-off costs (graph 0: warm-up; the others: loading the graph on first
    // use), so each is kept apart from steady state
    const graph = route?.graph ?? 0;
    const graphFirst = !this.#graphsRun.has(graph);
    // a graph pruned to an output set is loaded on its first run too: that run is kept apart as well
    const runKey = route?.pruned === undefined ? graph : `${graph}:${route.pruned.key}`;
    const first = !this.#graphsRun.has(runKey);
    this.#graphsRun.add(runKey);
    pending.set(id, { resolve, reject, first, graph });
    try {
      const message: ToWorker = { type: 'run', id, feeds };
      // only when set: the common single-graph, all-outputs request stays as small as before
      if (route?.graph !== undefined && route.graph !== 0) message.graph = route.graph;
      // a graph made loadable after this activation started: its first run tells the worker where it is
      if (graphFirst && graph !== 0 && route?.modelPath !== undefined) message.modelPath = route.modelPath;
      if (route?.outputs !== undefined) message.outputs = route.outputs;
      if (route?.pruned !== undefined) message.pruned = route.pruned;
      worker.postMessage(message, transfer);
    } catch (error) {
      // nothing was sent: free the slot, or this activation would count the request in flight forever
      pending.delete(id);
      reject(new QaicError('QAIC_INTERNAL', `activation ${this.index}: the inputs could not be sent to the worker: ${(error as Error).message}`, { cause: error }));
      return undefined;
    }
    if (pending.size === 1) this.#updateRef();
    return id;
  }

  /** Whether {@link endProfiling} has been called on this activation (onnxruntime cannot restart profiling). */
  get profilingEnded(): boolean {
    return this.#profilingEnded;
  }

  /**
   * Ask the worker to end onnxruntime profiling; resolves with the profile file it wrote for graph 0 and those of
   * the graphs it loaded on first use while profiling.
   */
  endProfiling(): Promise<EndedProfiles> {
    if (this.#state !== 'ready' || this.#worker === undefined) return Promise.resolve({ file: undefined, graphs: [] });
    this.#profilingEnded = true;
    return new Promise((resolve, reject) => {
      this.#profileWaiters.push({ resolve, reject });
      this.#worker!.postMessage({ type: 'end-profiling' } satisfies ToWorker);
      this.#updateRef();
    });
  }

  /**
   * Stop the worker. Requests still in flight are rejected with `error` at once (their results would arrive to
   * nobody); the returned promise resolves when the thread has exited, which waits for the inference it is
   * running, if any, to return from onnxruntime (it cannot be interrupted safely).
   */
  async stop(error: QaicError): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasDead = this.#state === 'dead';
    // a child busy with work whose answers nobody will read is killed rather than waited for (it may never finish)
    const busy = this.#pending.size > 0 || this.#benchmarks.size > 0;
    this.#state = 'stopped';
    this.#clearGraphLoads();
    this.#rejectAll(error);
    if (!wasDead) await this.#close(!(busy && this.isolation === 'process'));
  }

  /**
   * Make the worker die as a crash would (fault-injection tests): it exits with code {@link CRASH_EXIT_CODE}
   * before posting the result of the inference it is running, or at once when idle. Resolves once it has exited.
   *
   * @internal
   */
  async killForTesting(): Promise<void> {
    if (this.#worker === undefined || this.#worker.threadId === -1) return;
    Atomics.store(new Int32Array(this.#faults), 0, 1);
    // an idle worker is unref'd: without this, a test awaiting the exit of an idle activation would let the process end
    this.#worker.ref();
    this.#worker.postMessage({ type: 'crash-for-testing' } satisfies ToWorker);
    await this.#exited;
  }
}

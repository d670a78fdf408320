/**
 * An activation of the native engine (`engine: 'native'`), seen from the main thread through the members of a worker
 * thread that `Activation` uses ({@link ActivationWorker}), so that one `Activation` class and one pool drive every
 * engine. Behind it is one native thread of the `qaic_engine` addon owning one onnxruntime session per graph; this
 * class translates the worker protocol (protocol.ts) to the addon's calls and the addon's events back to it.
 *
 * What it adds over a worker thread: a request in flight can be cancelled ({@link cancel}: onnxruntime's
 * `RunOptionsSetTerminate`), and `close` ends the inference in flight instead of waiting for it, so an activation
 * is freed within milliseconds even on a model that never finishes.
 *
 * Compute units work as on a worker thread: the session options' `executionProviders` (WebGPU with
 * `forceCpuNodeNames`, CUDA) are appended by the addon through onnxruntime's C API, and the first activation measures
 * the placement report with the addon's `measurePlacement` (a profiled inference in a session of its own, on the
 * native thread) before it reports ready.
 *
 * What it emulates so that the pool's semantics and their tests hold: the tests' fault injection (the `faults` slot
 * and `crash-for-testing`) ends the native thread and reports an exit with {@link CRASH_EXIT_CODE}, as a worker
 * thread that crashed would.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QaicError, serializeError, type SerializedError } from '../errors.js';
import type { WireTensor } from '../tensor.js';
import type { ActivationWorker } from './child-worker.js';
import { nowNs } from './clock.js';
import { CRASH_EXIT_CODE, type ActivationConfig, type BenchRequest, type FromWorker, type GraphProfile, type PrunedRoute, type ToWorker, type WorkerTimes } from './protocol.js';
import { loadNativeEngine, type NativeActivation, type NativeEvent, type NativeSessionOptions, type NativeTensor } from './native-addon.js';
import { CPU_FALLBACK_DISABLED, mandatoryUnitsError, placementFromProfileFile, type PlacementReport } from './placement.js';
import { withCpuFallback, withoutProfiling } from './ort-session-options.js';

/** Thread ids handed to native activations: distinct from each other (a native thread has no Node thread id). */
let nextThreadId = 1_000_000;

/** One graph as the native activation knows it: registered with the addon before its first run or benchmark. */
interface NativeGraph {
  modelPath: string | undefined;
  inputNames: readonly string[];
  sessionOptions: Record<string, unknown>;
  /** registered with the addon (graph 0 by `start`, the others by `setGraph` on first use) */
  registered: boolean;
  /** why its load on first use failed (from the 'graph-loaded' event), for the runs that fail because of it */
  loadError: string | undefined;
  /**
   * For a graph pruned to an output set (`PrunedRoute`): the graph it was pruned from. Pruned graphs are registered
   * with the addon under indices after the activation's graphs, and reported to the pool as that graph.
   */
  base?: number;
}

/** The activation's worker, on the native engine. */
export class NativeWorker extends EventEmitter implements ActivationWorker {
  readonly #native: NativeActivation;
  readonly #config: ActivationConfig;
  readonly #faults: Int32Array | undefined;
  readonly #graphs: NativeGraph[];
  readonly #id = nextThreadId++;
  /** the warm-up count of each benchmark running, by id (the addon's result does not repeat it) */
  readonly #benchWarmups = new Map<number, number>();
  /** the graph of each run in flight, by request id (to explain a run failed by its graph's load) */
  readonly #running = new Map<number, number>();
  /** the addon's index of each pruned graph, by `<graph>:<key>` */
  readonly #prunedIndex = new Map<string, number>();
  #exited = false;
  /** set when the tests' fault injection asked for a crash: the native thread's exit is reported as one */
  #crashing = false;
  #closing = false;
  #profilingEnded = false;
  /** the placements being measured, by their (negative, apart from the runs') request id */
  readonly #placements = new Map<number, (event: Extract<NativeEvent, { type: 'placement' }>) => void>();
  #nextPlacementId = -1;
  readonly #t0 = performance.now();

  /**
   * Start the native thread of activation `config.index`, which loads graph 0 ('ready' or 'load-failed' follows).
   *
   * @throws Error when the addon cannot be loaded (its reason) or refuses the configuration; the caller wraps it in
   *   its `QaicError`
   */
  constructor(config: ActivationConfig) {
    super();
    const loaded = loadNativeEngine();
    if (!('addon' in loaded)) throw new Error(`the native engine is not available: ${loaded.reason}`);
    this.#config = config;
    this.#faults = config.faults === undefined ? undefined : new Int32Array(config.faults);
    this.#graphs = [
      { modelPath: config.modelPath, inputNames: config.inputNames ?? [], sessionOptions: config.sessionOptions, registered: true, loadError: undefined },
      ...(config.graphs ?? []).map((g) => ({ modelPath: g.modelPath === '' ? undefined : g.modelPath, inputNames: g.inputNames, sessionOptions: g.sessionOptions, registered: false, loadError: undefined })),
    ];
    this.#native = new loaded.addon.NativeActivation((event) => this.#onEvent(event));
    let profileFilePrefix: string | undefined;
    if (config.profileDir !== undefined) {
      mkdirSync(config.profileDir, { recursive: true });
      profileFilePrefix = join(config.profileDir, `activation-${config.index}`);
    }
    try {
      this.#native.start({
        index: config.index,
        modelPath: config.modelPath,
        inputNames: [...(config.inputNames ?? [])],
        sessionOptions: nativeSessionOptions(config.sessionOptions, profileFilePrefix),
        ...(config.cpus === undefined ? {} : { cpus: [...config.cpus] }),
      });
    } catch (error) {
      // a refused config (a provider option it does not know, ...): release the addon's event channel, which would
      // otherwise keep the process alive until the object is collected
      this.#native.close();
      throw error;
    }
  }

  /** A number that tells this activation's thread apart from the others; -1 once it has ended. */
  get threadId(): number {
    return this.#exited ? -1 : this.#id;
  }

  /** Keep the process alive while this activation has work the caller waits for (the addon's event function). */
  ref(): void {
    if (!this.#exited) this.#native.ref();
  }

  /** Let the process exit although this activation's thread runs (an idle activation must not hold the process). */
  unref(): void {
    if (!this.#exited) this.#native.unref();
  }

  /**
   * End request `id` now: a queued one is dropped, one in flight is terminated inside onnxruntime. Its 'run-failed'
   * answer follows within milliseconds, which frees its slot. False when the activation holds no such request.
   */
  cancel(id: number): boolean {
    if (this.#exited || !this.#running.has(id)) return false;
    return this.#native.cancel(id);
  }

  /**
   * Handle a worker-protocol message the way worker.ts does, on the native thread. Takes no transfer list, unlike a
   * Worker's: a run's feeds are copied by the addon (see `#run`), so which buffers the caller gave up does not matter.
   */
  postMessage(message: ToWorker): void {
    if (this.#exited) throw new Error(`activation ${this.#config.index}'s native thread has ended`);
    switch (message.type) {
      case 'run':
        this.#run(message);
        return;
      case 'bench':
        this.#bench(message);
        return;
      case 'end-profiling':
        this.#endProfiling();
        return;
      case 'close':
        this.#close();
        return;
      case 'crash-for-testing':
        this.#crash();
        return;
    }
  }

  /**
   * Hand a run to the native thread. The addon copies the feeds into onnxruntime's memory inside this call, so the
   * request holds no JavaScript buffer once it is sent: the Session's own buffers (detached from the caller, or
   * copied, at run()) become garbage at once. Borrowing them instead (a mode the addon had, which read them in place
   * until the run settled) was measured worse on det (1x3x256x384, 1.2 MB): a buffer held through a run
   * outlives a scavenge, and freeing such buffers later in batches makes the allocator return memory to the system
   * and fault it back in on the caller's next allocation. 180-205 page faults and 3.2-3.3 ms of main-thread CPU per
   * run borrowing, against 7-24 and 0.9-1.2 ms copying; cls (0.1 MB) was the same either way.
   */
  #run(message: Extract<ToWorker, { type: 'run' }>): void {
    const received = nowNs();
    const graph = message.graph ?? 0;
    try {
      const slot = this.#graphFor(graph, message.modelPath);
      let target = graph;
      let feeds = message.feeds;
      const pruned = message.pruned;
      if (pruned !== undefined) {
        target = this.#prunedGraphFor(graph, pruned);
        // the pruned graph's inputs, by name, out of the whole graph's feeds: the others are not its inputs
        feeds = pruned.inputNames.map((name) => {
          const at = slot.inputNames.indexOf(name);
          if (at < 0) throw new QaicError('QAIC_INTERNAL', `graph ${graph} pruned to its outputs reads '${name}', which is not one of its inputs (${slot.inputNames.join(', ')})`);
          return message.feeds[at]!;
        });
      }
      this.#running.set(message.id, target);
      // a pruned graph's outputs are those asked for: all of them
      const outputs = pruned !== undefined || message.outputs === undefined ? null : [...message.outputs];
      this.#native.run(message.id, target, feedsFor(feeds), outputs);
    } catch (error) {
      // malformed arguments (the addon's synchronous refusals) answer like worker.ts's refusals do: a failed run
      this.#running.delete(message.id);
      const times: WorkerTimes = { received, runStart: 0, runEnd: 0, posted: nowNs() };
      this.#emitLater({ type: 'run-failed', id: message.id, error: serializeError(error), times });
    }
  }

  /** The graph `index`, registered with the addon before its first use (so that its profiling is decided then). */
  #graphFor(index: number, modelPath: string | undefined): NativeGraph {
    const slot = this.#graphs[index];
    if (slot === undefined) throw new QaicError('QAIC_INTERNAL', `this activation has no graph ${index} (it serves ${this.#graphs.length})`);
    slot.modelPath ??= modelPath;
    if (!slot.registered) {
      if (slot.modelPath === undefined) throw new QaicError('QAIC_INTERNAL', `activation ${this.#config.index} was asked to run graph ${index} without being told its file`);
      // profiled like graph 0, into a file of its own; not once this activation's profile was collected (as worker.ts)
      const prefix = this.#config.profileDir !== undefined && !this.#profilingEnded ? join(this.#config.profileDir, `activation-${this.#config.index}-graph-${index}`) : undefined;
      this.#native.setGraph(index, slot.modelPath, [...slot.inputNames], nativeSessionOptions(slot.sessionOptions, prefix));
      slot.registered = true;
    }
    return slot;
  }

  /**
   * The addon's index of graph `graph` pruned to an output set, registered on its first use (and again after a load
   * that failed, which the next run retries, as for any graph). Not profiled: see worker.ts's `loadPruned`.
   */
  #prunedGraphFor(graph: number, route: PrunedRoute): number {
    const id = `${graph}:${route.key}`;
    let index = this.#prunedIndex.get(id);
    if (index === undefined) {
      index = this.#graphs.length;
      this.#graphs.push({ modelPath: route.modelPath, inputNames: [...route.inputNames], sessionOptions: this.#graphs[graph]!.sessionOptions, registered: false, loadError: undefined, base: graph });
      this.#prunedIndex.set(id, index);
    }
    const slot = this.#graphs[index]!;
    if (!slot.registered) {
      this.#native.setGraph(index, route.modelPath, [...route.inputNames], nativeSessionOptions(withoutProfiling(slot.sessionOptions)));
      slot.registered = true;
    }
    return index;
  }

  #bench(message: BenchRequest): void {
    const graph = message.graph ?? 0;
    try {
      this.#graphFor(graph, message.modelPath);
      this.#benchWarmups.set(message.id, message.warmup);
      this.#native.bench(message.id, graph, feedsFor(message.feeds), message.warmup, message.depth, message.seconds, message.parties, new Int32Array(message.control));
    } catch (error) {
      this.#emitLater({ type: 'bench-result', id: message.id, count: 0, startNs: 0, endNs: 0, samplesNs: new Float64Array(0), warmupCount: message.warmup, warmupNs: 0, error: serializeError(error) });
    }
  }

  #endProfiling(): void {
    if (this.#profilingEnded || this.#config.profileDir === undefined) {
      const why = this.#profilingEnded ? 'this activation already ended its profile (onnxruntime cannot restart profiling)' : 'this activation is not profiling';
      this.#emitLater({ type: 'profile', file: undefined, error: serializeError(new QaicError('QAIC_METRICS_DISABLED', why)) });
      return;
    }
    this.#profilingEnded = true;
    this.#native.endProfiling();
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#native.close();
  }

  /** The tests' crash: the native thread ends now and its exit is reported with {@link CRASH_EXIT_CODE}. */
  #crash(): void {
    this.#crashing = true;
    this.#close();
  }

  /** An answer made on this thread is delivered later, as the worker's would be (never inside the caller's call). */
  #emitLater(message: FromWorker): void {
    queueMicrotask(() => {
      if (!this.#exited) this.emit('message', message);
    });
  }

  #onEvent(event: NativeEvent): void {
    if (this.#exited) return;
    // a crash answers nothing more: the exit that follows rejects what was in flight, as a dead worker's would
    if (this.#crashing && event.type !== 'exit') return;
    switch (event.type) {
      case 'ready': {
        const ready = (measured: { placement?: PlacementReport; placementError?: string }): FromWorker => ({
          type: 'ready', loadMs: performance.now() - this.#t0, createMs: event.createMs, createStartNs: event.createStartNs,
          ...(event.pinned === undefined ? {} : { pinned: event.pinned }), ...measured,
        });
        if (this.#config.placement !== true) {
          this.emit('message', ready({}));
          return;
        }
        // as worker.ts: the first activation measures the placement in a session of its own before it is ready
        void this.#measurePlacement(this.#config.sessionOptions).then(
          (placement) => ({ placement }),
          (error: unknown) => ({ placementError: (error as Error)?.message ?? String(error) }),
        ).then((measured) => this.#emitIfOpen(ready(measured)));
        return;
      }
      case 'load-failed': {
        const units = this.#config.computeUnits;
        if (units === undefined || !CPU_FALLBACK_DISABLED.test(event.message)) {
          this.emit('message', { type: 'load-failed', error: { name: 'Error', message: event.message } } satisfies FromWorker);
          return;
        }
        // a compute_unit list without 'cpu' refused nodes only the CPU runs: name them, from a placement measured with
        // the CPU allowed (as worker.ts does)
        const cause = new Error(event.message);
        void this.#measurePlacement(withCpuFallback(this.#config.sessionOptions)).then(
          (placement) => placement,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ).then((measured) => this.#emitIfOpen({ type: 'load-failed', error: serializeError(mandatoryUnitsError(units, measured, cause)) }));
        return;
      }
      case 'placement':
        this.#placements.get(event.id)?.(event);
        return;
      case 'graph-loading':
        // a pruned graph's load is a load of the graph it was pruned from (the pool bounds and reports it as such)
        this.emit('message', { type: 'graph-loading', graph: this.#graphs[event.graph]?.base ?? event.graph, file: event.file } satisfies FromWorker);
        return;
      case 'graph-loaded': {
        const slot = this.#graphs[event.graph];
        if (slot !== undefined) {
          slot.loadError = event.error;
          // a failed load is retried on the graph's next use, as worker.ts does
          if (event.error !== undefined) slot.registered = false;
        }
        this.emit('message', { type: 'graph-loaded', graph: slot?.base ?? event.graph } satisfies FromWorker);
        return;
      }
      case 'result':
        this.#running.delete(event.id);
        // the tests' fault injection: die as a crash would, before the result of the inference that just ran is posted
        if (this.#faults !== undefined && Atomics.load(this.#faults, 0) !== 0) {
          this.#crash();
          return;
        }
        this.emit('message', { type: 'result', id: event.id, outputs: event.outputs as Record<string, WireTensor>, times: event.times } satisfies FromWorker);
        return;
      case 'run-failed': {
        const graph = this.#running.get(event.id) ?? 0;
        this.#running.delete(event.id);
        this.emit('message', { type: 'run-failed', id: event.id, error: this.#runError(event, graph), times: event.times } satisfies FromWorker);
        return;
      }
      case 'bench-result': {
        const warmupCount = this.#benchWarmups.get(event.id) ?? 0;
        this.#benchWarmups.delete(event.id);
        this.emit('message', {
          type: 'bench-result', id: event.id, count: event.count, startNs: event.startNs, endNs: event.endNs, samplesNs: event.samplesNs,
          warmupCount, warmupNs: event.warmupNs,
          ...(event.error === undefined ? {} : { error: serializeError(new QaicError('QAIC_RUN_FAILED', `activation ${this.#config.index}: the benchmark failed: ${event.error}`)) }),
        } satisfies FromWorker);
        return;
      }
      case 'profile': {
        if (event.error !== undefined) {
          this.emit('message', { type: 'profile', file: undefined, error: { name: 'Error', message: event.error } } satisfies FromWorker);
          return;
        }
        const graphs: GraphProfile[] = event.files.filter((f) => f.graph !== 0).map((f) => ({ graph: f.graph, file: f.file, createStartNs: f.createStartNs }));
        const file = event.files.find((f) => f.graph === 0)?.file;
        this.emit('message', { type: 'profile', file, graphs } satisfies FromWorker);
        return;
      }
      case 'exit':
        this.#exited = true;
        for (const settle of [...this.#placements.values()]) settle({ type: 'placement', id: 0, error: 'the activation ended' });
        this.emit('exit', this.#crashing ? CRASH_EXIT_CODE : event.code);
        return;
    }
  }

  /** An answer that waited for a placement, unless the activation was stopped or ended meanwhile. */
  #emitIfOpen(message: FromWorker): void {
    if (!this.#exited && !this.#closing && !this.#crashing) this.emit('message', message);
  }

  /**
   * Where onnxruntime places graph 0's nodes with `sessionOptions`: measured on the native thread (the addon's
   * `measurePlacement`: a profiled session of its own, one inference on zeros) and read from the profile it wrote into
   * a private temp folder, removed after.
   */
  #measurePlacement(sessionOptions: Record<string, unknown>): Promise<PlacementReport> {
    const dir = mkdtempSync(join(tmpdir(), 'qaic-placement-'));
    const id = this.#nextPlacementId--;
    return new Promise<PlacementReport>((resolve, reject) => {
      this.#placements.set(id, (event) => {
        this.#placements.delete(id);
        try {
          if (event.error !== undefined || event.file === undefined) throw new Error(event.error ?? 'onnxruntime wrote no profile');
          resolve(placementFromProfileFile(event.file, event.inputs ?? {}));
        } catch (error) {
          reject(error);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
      try {
        // quiet: the activation's own session already logged what onnxruntime had to say about this graph
        this.#native.measurePlacement(id, this.#config.modelPath, { ...nativeSessionOptions(sessionOptions), logSeverityLevel: 3, profileFilePrefix: join(dir, 'placement') });
      } catch (error) {
        this.#placements.delete(id);
        rmSync(dir, { recursive: true, force: true });
        reject(error);
      }
    });
  }

  /**
   * The error of a failed run, as worker.ts would send it: onnxruntime's refusal as a plain error (the activation
   * makes it `QAIC_RUN_FAILED`), a graph that could not be loaded on first use as `QAIC_ACTIVATION_FAILED`, and a
   * cancelled run as `QAIC_ABORTED` (the pool has already answered its caller with the abort or timeout error).
   */
  #runError(event: Extract<NativeEvent, { type: 'run-failed' }>, graph: number): SerializedError {
    if (event.canceled) {
      return serializeError(new QaicError('QAIC_ABORTED', `activation ${this.#config.index}: the run was cancelled${this.#closing ? ' (the activation was stopped)' : ''}`));
    }
    const slot = this.#graphs[graph];
    if (graph !== 0 && slot?.loadError !== undefined) {
      const what = slot.base === undefined ? `graph ${graph}` : `graph ${slot.base} pruned to its outputs`;
      return serializeError(new QaicError('QAIC_ACTIVATION_FAILED', `activation ${this.#config.index} could not load ${what} ('${slot.modelPath ?? ''}') on its first use: ${slot.loadError}`, {
        details: { activation: this.#config.index, file: slot.modelPath },
      }));
    }
    return { name: 'Error', message: event.message };
  }
}

/**
 * The tensors of a request as the addon takes them (the same fields: a WireTensor is a NativeTensor). A view over a
 * SharedArrayBuffer is copied into an ArrayBuffer first: the addon (at wt-n1 7e6e5a4) answers nothing for one.
 */
function feedsFor(feeds: readonly WireTensor[]): NativeTensor[] {
  if (!feeds.some((t) => !Array.isArray(t.data) && t.data.buffer instanceof SharedArrayBuffer)) return feeds as unknown as NativeTensor[];
  return feeds.map((t) => {
    if (Array.isArray(t.data) || !(t.data.buffer instanceof SharedArrayBuffer)) return t as unknown as NativeTensor;
    const view = t.data as Uint8Array;
    const copy = new (view.constructor as new (n: number) => Uint8Array)(view.length);
    copy.set(view);
    return { type: t.type, dims: t.dims, data: copy } as unknown as NativeTensor;
  });
}

const LEVELS = new Set(['disabled', 'basic', 'extended', 'layout', 'all']);

/**
 * One of onnxruntime-node's `executionProviders` entries (a name, or `{ name, ...options }` as activation-config.ts
 * builds them) as the addon takes it: options as strings the way onnxruntime-node hands them to the C API (a list
 * joined by newlines, a boolean as '1'/'0'); CUDA's `deviceId` is its `device_id`.
 */
function nativeProvider(entry: unknown): NonNullable<NativeSessionOptions['executionProviders']>[number] {
  if (typeof entry === 'string') return { name: entry as 'webgpu' };
  const { name, ...rest } = entry as { name: string } & Record<string, unknown>;
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(String).join('\n') : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    options[name === 'cuda' && key === 'deviceId' ? 'device_id' : key] = text;
  }
  return Object.keys(options).length > 0 ? { name: name as 'webgpu', options } : { name: name as 'webgpu' };
}

/**
 * Session options as plain data (onnxruntime-node's names, as activation-config.ts builds them) resolved to what the
 * C API takes. `extra` entries become session config entries, their keys dotted as onnxruntime-node makes them;
 * `executionProviders` are appended by name with their options (see {@link NativeSessionOptions.executionProviders}).
 */
export function nativeSessionOptions(options: Record<string, unknown>, profileFilePrefix?: string): NativeSessionOptions {
  const out: NativeSessionOptions = {};
  const level = options.graphOptimizationLevel;
  if (typeof level === 'string' && LEVELS.has(level)) out.graphOptimizationLevel = level as NonNullable<NativeSessionOptions['graphOptimizationLevel']>;
  if (typeof options.intraOpNumThreads === 'number') out.intraOpNumThreads = options.intraOpNumThreads;
  if (typeof options.interOpNumThreads === 'number') out.interOpNumThreads = options.interOpNumThreads;
  if (options.executionMode === 'sequential' || options.executionMode === 'parallel') out.executionMode = options.executionMode;
  if (typeof options.enableCpuMemArena === 'boolean') out.enableCpuMemArena = options.enableCpuMemArena;
  if (typeof options.enableMemPattern === 'boolean') out.enableMemPattern = options.enableMemPattern;
  if (typeof options.logSeverityLevel === 'number') out.logSeverityLevel = options.logSeverityLevel;
  // onnxruntime-node flattens `extra` into dotted session config keys ({session: {disable_prepacking: '1'}} is
  // 'session.disable_prepacking'): the same keys here, so that both engines configure onnxruntime alike
  const config: Record<string, string> = {};
  flatten(options.extra, '', config);
  if (Object.keys(config).length > 0) out.config = config;
  if (profileFilePrefix !== undefined) out.profileFilePrefix = profileFilePrefix;
  if (Array.isArray(options.executionProviders) && options.executionProviders.length > 0) out.executionProviders = options.executionProviders.map(nativeProvider);
  return out;
}

/** `extra`'s nested entries as dotted keys with string values, as onnxruntime-node passes them to AddSessionConfigEntry. */
function flatten(value: unknown, prefix: string, out: Record<string, string>): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  if (prefix !== '') out[prefix] = String(value);
}

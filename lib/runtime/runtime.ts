/**
 * The one interface between a session (with its metrics) and the engine that runs its activations.
 *
 * A session knows nothing of worker threads or of the messages they exchange: it starts a runtime, dispatches
 * requests to it, waits for it to be ready or idle, asks it to run the benchmark loop inside its activations and to
 * end onnxruntime profiling, and stops it. The worker-thread engine (`ActivationPool` in `pool.ts`) implements
 * it; a native engine can implement the same interface and the session, metrics and profiling code stay as they are.
 */
import type { ComputeUnitPlan } from './compute-unit-plan.js';
import type { PlacementReport } from './placement.js';
import type { QaicError } from '../errors.js';
import type { WireTensor } from '../tensor.js';
import type { PrunedRoute, WorkerTimes } from './protocol.js';
import type { Engine } from './engine.js';

/** One inference request as a runtime sees it. The runtime fills the timestamps for the run's trace. */
export interface RunRequest {
  /** the inputs, in the order of {@link RuntimeSpec.inputNames} */
  feeds: WireTensor[];
  /** buffers of `feeds` that are transferred (detached from the caller) rather than copied */
  transfer: ArrayBuffer[];
  /** index of the graph to run, in {@link RuntimeSpec.graphs} order (0, the first graph, when absent) */
  graph?: number;
  /**
   * the file of {@link graph} (not graph 0), for activations that have not loaded it yet: graphs after the first
   * are made loadable on their first use, after the runtime was built (see {@link RuntimeSpec.graphs})
   */
  modelPath?: string;
  /** compute and return only these outputs (all outputs when absent) */
  outputs?: readonly string[] | undefined;
  /** run {@link graph} pruned to {@link outputs} (made by the session's `PrunedGraphs`); absent: the full graph */
  pruned?: PrunedRoute | undefined;
  /** aborts the request: a queued one is dropped, an in-flight one is rejected and its result discarded */
  signal?: AbortSignal | undefined;
  /** set when an activation takes the request (process-wide monotonic ns) */
  takenNs?: number;
  /** index of the activation that took it */
  activation?: number;
  /** set once the request has been handed to the activation (process-wide monotonic ns) */
  sentNs?: number;
}

/** What a finished inference hands back. */
export interface RunResult {
  /** the outputs by name */
  outputs: Record<string, WireTensor>;
  /** timestamps taken inside the activation */
  times: WorkerTimes;
  /** main-thread time the answer arrived (process-wide monotonic ns) */
  receivedNs: number;
  /** whether this was the first inference of its activation */
  first: boolean;
}

/** The benchmark loop to run inside every ready activation at once (see {@link Runtime.runBenchmark}). */
export interface BenchmarkSpec {
  /** the inputs, in the order of {@link RuntimeSpec.inputNames}; copied into each activation (never transferred) */
  feeds: WireTensor[];
  /** inferences each activation runs before measuring, excluded from the samples */
  warmup: number;
  /** inferences each activation keeps in flight while measuring (the set size) */
  depth: number;
  /** `count`: stop after {@link count} inferences over all activations; `time`: measure for {@link seconds} */
  mode: 'count' | 'time';
  /** index of the graph to benchmark, in {@link RuntimeSpec.graphs} order (0 when absent) */
  graph?: number;
  /** the file of {@link graph} (not graph 0), for activations that have not loaded it yet (see {@link RunRequest.modelPath}) */
  modelPath?: string;
  /** inferences over all activations, in `count` mode */
  count: number;
  /** seconds to measure, in `time` mode */
  seconds: number;
  /** called every `everyMs` milliseconds with the measured inferences completed so far, all activations, and once more with the final count when the benchmark succeeds */
  progress?: { everyMs: number; report: (completed: number) => void } | undefined;
}

/** What one activation measured in a benchmark. Timestamps are process-wide monotonic ns (see `clock.ts`). */
export interface ActivationSamples {
  /** the activation's index */
  activation: number;
  /** measured inferences (warm-up excluded) */
  count: number;
  /** measuring started, after every activation finished its warm-up */
  startNs: number;
  /** the last measured inference completed */
  endNs: number;
  /** each measured inference's latency, issue to completion inside the activation, ns, in completion order */
  samplesNs: Float64Array;
  /** how long this activation's warm-up took, ns */
  warmupNs: number;
}

/** An onnxruntime profile an activation has just ended (see {@link Runtime.endProfiling}). */
export interface EndedProfile {
  /** the activation's index */
  activation: number;
  /**
   * the graph it profiled, by index in {@link RuntimeSpec.graphs} order (absent: graph 0, loaded at start; others
   * are graphs loaded on first use, each profiled into a file of its own)
   */
  graph?: number;
  /** the profile file onnxruntime wrote, if any */
  file: string | undefined;
  /** process-wide monotonic ns just before onnxruntime created the session (its profile's time origin) */
  createStartNs: number;
}

/** What a runtime is built from: the graph, the layout of its activations, and how they run. */
export interface RuntimeSpec {
  /** the file onnxruntime loads */
  modelPath: string;
  /** input names in the order requests carry their feeds */
  inputNames: string[];
  /** onnxruntime session options of the prepared graph (plain data); threading is added by the runtime */
  sessionOptions: Record<string, unknown>;
  /**
   * The further graphs each activation serves after the first (`graph: 'auto'`): requests name them by index, 1
   * for the first entry here. Each activation loads one on its first request for it. Absent: one graph.
   */
  graphs?: Array<{
    /**
     * the file onnxruntime loads; `''` when it is not known yet (the graph is made loadable on first use): the
     * requests for it then carry it ({@link RunRequest.modelPath})
     */
    modelPath: string;
    /** input names in the order requests carry their feeds */
    inputNames: string[];
    /** onnxruntime session options of the graph (plain data) */
    sessionOptions: Record<string, unknown>;
  }> | undefined;
  /** activations running side by side (`num_activations`) */
  numActivations: number;
  /** cores (onnxruntime intra-op threads) per activation (`aic_num_cores`) */
  coresPerActivation: number;
  /** requests in flight per activation (`set_size`) */
  setSize: number;
  /** how long one activation may take to load, milliseconds (`activation_timeout_ms`) */
  timeoutMs: number;
  /** pin each activation's threads to its own cores (`pin_cores`) */
  pinCores: boolean;
  /** where onnxruntime writes its profiles; absent: no profiling */
  profileDir?: string | undefined;
  /** where nodes run (`compute_unit`, resolved by `planComputeUnits`); absent: onnxruntime's CPU provider */
  computeUnits?: ComputeUnitPlan | undefined;
  /** node names onnxruntime's WebGPU provider must leave to the CPU (`compute_unit_for_nodes.cpu`, resolved) */
  forceCpuNodeNames?: string[] | undefined;
  /**
   * Where activations run (`isolation`): `'thread'` (default), a worker thread of this process, or `'process'`, a
   * child process each, which a fault inside onnxruntime ends instead of this process and which can be killed.
   */
  isolation?: 'thread' | 'process' | undefined;
  /**
   * What runs the activations (see engine.ts): `'worker'` (default here), worker threads or child processes with
   * onnxruntime-node; `'native'`, native threads of the `qaic_engine` addon (never with `isolation: 'process'`: the
   * session's choice, `chooseEngine`, sees to it), which can cancel a run in flight. Both append the execution
   * providers of {@link computeUnits} and measure {@link Runtime.placement}.
   */
  engine?: Engine | undefined;
  /**
   * Milliseconds a request may take from `dispatch()` to its answer (time queued for a free activation included)
   * before it is rejected with `QAIC_TIMEOUT` (`run_timeout`); 0 or absent: no limit. `Session.run()` dispatches after
   * checking the inputs and, on a session not yet active, after activating it: neither counts. A process activation
   * running it is killed and replaced.
   */
  runTimeoutMs?: number | undefined;
  /** called when an activation dies, before it is replaced (for warnings) */
  onActivationDeath?: ((index: number, error: QaicError) => void) | undefined;
}

/** The activations of one session and the dispatcher in front of them, whatever engine runs them. */
export interface Runtime {
  /** requests in flight per activation */
  readonly setSize: number;
  /**
   * Where onnxruntime placed the graph's nodes across compute units (measured by the first activation when
   * `computeUnits` lists more than the CPU), or why it could not be measured; both undefined otherwise.
   */
  readonly placement: { report?: PlacementReport | undefined; error?: string | undefined };
  /**
   * Start every activation. If any fails to load, all are stopped and the first failure is thrown.
   *
   * @throws QaicError `QAIC_ACTIVATION_FAILED`, `QAIC_TIMEOUT`, or `QAIC_ABORTED` when stopped meanwhile
   */
  start(): Promise<void>;
  /**
   * Dispatch one inference, without a promise of its own (the caller settles its own, so one `run()` costs one
   * promise): exactly one of `resolve` and `reject` is called, once, possibly before this returns.
   */
  dispatch(request: RunRequest, resolve: (result: RunResult) => void, reject: (error: QaicError) => void): void;
  /**
   * Resolves once no activation is loading or being replaced (at once when none is), or when the runtime is
   * stopped: then every activation that can be ready is. A promise, never a poll.
   */
  whenReady(): Promise<void>;
  /** Resolves once no request is waiting or in flight (at once when none is), or when the runtime is stopped. */
  whenIdle(): Promise<void>;
  /** Change the in-flight cap per activation; waiting requests are dispatched at once if it grew. */
  setSetSize(setSize: number): void;
  /**
   * Run the benchmark loop inside every ready activation at once and return what each measured, in activation
   * order. The caller's thread and the message round trip are not measured.
   *
   * @throws QaicError `QAIC_ACTIVATION_FAILED` when no activation is ready, `QAIC_ABORTED` when the runtime is (or
   *   gets) stopped, `QAIC_ACTIVATION_CRASHED` when an activation dies meanwhile, or the error an activation hit
   */
  runBenchmark(spec: BenchmarkSpec): Promise<ActivationSamples[]>;
  /**
   * End onnxruntime profiling in every ready activation that has not ended it yet (onnxruntime cannot restart
   * it) and return the files written now, one per such activation.
   */
  endProfiling(): Promise<EndedProfile[]>;
  /** Stop every activation; requests waiting or in flight are rejected with `error`. */
  stop(error: QaicError): Promise<void>;
}

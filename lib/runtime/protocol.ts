/**
 * Messages between the main thread and an activation's worker. One `postMessage` each way per inference, with the
 * request id inside; buffers travel in the transfer list. Errors travel as {@link SerializedError} data because
 * structured clone drops custom fields such as `code`.
 */
import type { SerializedError } from '../errors.js';
import type { WireTensor } from '../tensor.js';
import type { PlacementReport } from './placement.js';

/** What the worker needs to load its graph (passed as `workerData`). */
export interface ActivationConfig {
  /** activation index within the session (stable across replacements) */
  index: number;
  /** file onnxruntime loads */
  modelPath: string;
  /**
   * Input names in the order the main thread sends feeds (the order it validated them in). The worker feeds
   * onnxruntime by these names, so a model whose onnxruntime input order differs cannot get its inputs swapped.
   * Absent: onnxruntime's own order.
   */
  inputNames?: string[];
  /** onnxruntime session options (plain data) */
  sessionOptions: Record<string, unknown>;
  /**
   * The other graphs of a program this activation serves (`graph: 'auto'`), by index: graph 0 is {@link modelPath},
   * loaded at start; graph `i` is `graphs[i - 1]`, loaded into its own onnxruntime session on its first run.
   */
  graphs?: Array<{
    /** file onnxruntime loads for this graph */
    modelPath: string;
    /** input names in the order feeds are sent (as {@link inputNames}) */
    inputNames: string[];
    /** onnxruntime session options of this graph (threading already added) */
    sessionOptions: Record<string, unknown>;
  }>;
  /** directory for onnxruntime's profile file, when profiling */
  profileDir?: string;
  /**
   * Fault injection for tests (one Int32 slot): non-zero makes the worker exit before posting its next result,
   * as if it crashed mid-inference. See `Activation.killForTesting()`.
   *
   * @internal
   */
  faults?: SharedArrayBuffer;
  /** native pinning: CPU indices for this activation's thread, when the addon is available */
  cpus?: number[];
  /**
   * The compute units in use when they are not the CPU alone (`compute_unit`): the graph's nodes are placed by
   * onnxruntime across them, and a load refused for nodes no mandatory unit can run is explained by naming them.
   */
  computeUnits?: string[];
  /** measure where onnxruntime placed the nodes (one profiled inference on zeros) and send it with 'ready' */
  placement?: boolean;
}

/**
 * A run's graph pruned to its outputs (`runtime/pruned-graphs.ts`): the activation loads `modelPath` into an
 * onnxruntime session of its own on its first run with this `key` (with its graph's session options, unprofiled),
 * keeps it for its life, and feeds it `inputNames` only, taken by name from the run's feeds (which hold every input of
 * the graph, in the graph's order).
 */
export interface PrunedRoute {
  /** the session's number for this (graph, output set) */
  key: number;
  /** the pruned model file */
  modelPath: string;
  /** the inputs the pruned graph reads, a subset of its graph's */
  inputNames: readonly string[];
}

/** Main → worker. */
export type ToWorker =
  /**
   * `graph`: index of the graph to run (0 when absent, see {@link ActivationConfig.graphs}); `outputs`: fetch only
   * these; `modelPath`: the graph's file, sent with an activation's first run of a graph it was not given at start;
   * `pruned`: run the graph pruned to `outputs` instead (see {@link PrunedRoute})
   */
  | { type: 'run'; id: number; feeds: WireTensor[]; graph?: number; outputs?: readonly string[]; modelPath?: string; pruned?: PrunedRoute }
  | { type: 'end-profiling' }
  /** exit now: sent by `Activation.stop()`; handled between inferences, never during one */
  | { type: 'close' }
  /** exit now with code {@link CRASH_EXIT_CODE}, as a crash would (tests only) */
  | { type: 'crash-for-testing' }
  | BenchRequest;

/**
 * Start the in-activation benchmark loop (see `runBenchmarkLoop` in worker.ts), sent by `Activation.benchmark()` for
 * `ActivationPool.runBenchmark()`. `control` is shared by every activation of one benchmark: Int32 slots
 * {@link BENCH_SLOT}.
 */
export interface BenchRequest {
  type: 'bench';
  id: number;
  feeds: WireTensor[];
  /** inferences run (per activation, `depth` at a time) before measuring; excluded from the results */
  warmup: number;
  /** inferences kept in flight inside the activation (the set size) */
  depth: number;
  /** measure for this long in seconds (0: until the shared count runs out) */
  seconds: number;
  /** activations taking part (the barrier waits for all of them) */
  parties: number;
  control: SharedArrayBuffer;
  /** index of the graph to benchmark (0 when absent, see {@link ActivationConfig.graphs}) */
  graph?: number;
  /** the graph's file, when the activation may not know it yet (see the `run` message's `modelPath`) */
  modelPath?: string;
}

/** Slots of a benchmark's shared control array (Int32). */
export const BENCH_SLOT = {
  /** activations done with warm-up */
  arrived: 0,
  /** 1 once every activation finished warm-up: measuring starts */
  go: 1,
  /** inferences still to claim (count mode); a huge number in time mode */
  remaining: 2,
  /** 1 when any activation failed: everyone stops */
  abort: 3,
  /** measured inferences completed so far, all activations (read by the main thread for progress reports) */
  completed: 4,
} as const;

/** Int32 slots in a benchmark's control array. */
export const BENCH_SLOTS = 5;

/** Timestamps taken in the worker, in process-wide monotonic nanoseconds (see `clock.ts`). */
export interface WorkerTimes {
  /** The worker received the request (ns). */
  received: number;
  /** onnxruntime's `run()` was called (ns). */
  runStart: number;
  /** onnxruntime's `run()` returned (ns). */
  runEnd: number;
  /** The outputs were packed and posted back to the main thread (ns). */
  posted: number;
}

/** The onnxruntime profile of a graph an activation loaded on its first use (`graph: 'auto'`). */
export interface GraphProfile {
  /** the graph's index (see {@link ActivationConfig.graphs}; never 0) */
  graph: number;
  /** the profile file onnxruntime wrote, if any */
  file: string | undefined;
  /** process-wide monotonic ns just before onnxruntime created the graph's session (its profile's time origin) */
  createStartNs: number;
}

/** Worker → main. */
export type FromWorker =
  | { type: 'ready'; loadMs: number; createMs: number; pinned?: number[] | undefined; pinningOff?: string | undefined; createStartNs?: number; placement?: PlacementReport | undefined; placementError?: string | undefined }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor>; times: WorkerTimes }
  | { type: 'run-failed'; id: number; error: SerializedError; times: WorkerTimes }
  /**
   * A graph loaded on first use: its load began (`file` is what onnxruntime opens) and ended (loaded or failed). The
   * load blocks the worker's thread inside onnxruntime, so only the main thread can bound it (`activation_timeout_ms`).
   */
  | { type: 'graph-loading'; graph: number; file: string }
  | { type: 'graph-loaded'; graph: number }
  /**
   * `file`: graph 0's profile; `graphs`: the profiles of the other graphs this activation loaded on first use while
   * profiling (each with its own time origin, ns just before its create())
   */
  | { type: 'profile'; file: string | undefined; graphs?: GraphProfile[]; error?: SerializedError }
  | BenchResult;

/** What one activation measured in a benchmark. Timestamps are process-wide monotonic ns. */
export interface BenchResult {
  type: 'bench-result';
  id: number;
  /** inferences measured */
  count: number;
  /** measuring started (after the warm-up barrier) */
  startNs: number;
  /** last measured inference completed */
  endNs: number;
  /** latency of every measured inference, issue to completion, in ns, in completion order */
  samplesNs: Float64Array;
  warmupCount: number;
  /** warm-up duration in ns, this activation */
  warmupNs: number;
  error?: SerializedError;
}

/** Exit code of a worker killed by `Activation.killForTesting()` (tests only). @internal */
export const CRASH_EXIT_CODE = 70;

/**
 * The timeline of one inference, as the session saw it. Every field is a process-wide monotonic timestamp in
 * nanoseconds (`clock.ts`), so main-thread and worker times subtract.
 *
 * Stages: `call → validated` input checks; `validated → taken` waiting in the queue; `taken → sent` posting to the
 * activation; `sent → worker.received` transfer in; `worker.runStart → worker.runEnd` the onnxruntime run;
 * `worker.runEnd → worker.posted` packing outputs; `worker.posted → received` transfer out; `received → done`
 * building the caller's outputs.
 */
import type { WorkerTimes } from './protocol.js';

/** One finished (or failed) inference. */
export interface RunTrace {
  /** Index of the activation that ran it (0 to `num_activations - 1`); -1 when it failed before one was taken. */
  activation: number;
  /**
   * the first inference this activation ran of its graph (includes one-off costs: warm-up, and for the graphs of a
   * `graph: 'auto'` session after the first, loading the graph; kept apart from steady state)
   */
  first: boolean;
  /** the graph that ran it, when the session serves several (`graph: 'auto'`); absent otherwise */
  graph?: string;
  /**
   * `true` when the inference returned outputs, `false` when it failed after its inputs were accepted (queue,
   * timeout, abort, a dead activation or an onnxruntime error); inputs refused by the checks are not traced.
   */
  ok: boolean;
  /** the failure's `QaicError` code, when `ok` is false (`'QAIC_INTERNAL'` for an error without one) */
  errorCode?: string;
  /** `run()` was called (ns). */
  callNs: number;
  /** Input checks passed (ns). */
  validatedNs: number;
  /** An activation was free and took the request off the queue (ns); `doneNs` when it never was. */
  takenNs: number;
  /** The request was posted to the activation's worker (ns); `doneNs` when it never was. */
  sentNs: number;
  /** The timestamps taken inside the worker (ns); all equal to `doneNs` when the worker never answered. */
  worker: WorkerTimes;
  /** The worker's answer reached the main thread (ns); `doneNs` on failure before that. */
  receivedNs: number;
  /** The caller's outputs (or error) were ready (ns); the trace is delivered right after. */
  doneNs: number;
}

/** Receives every inference's trace (metrics and profiling implement this). */
export interface RunObserver {
  /**
   * Called synchronously on the main thread after every inference, successful or not, before `run()` settles.
   * Keep it cheap: it is on the inference path. Register with `Session.observe()`.
   */
  onRun(trace: RunTrace): void;
}

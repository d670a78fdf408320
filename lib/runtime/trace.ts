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
  activation: number;
  /** the first inference this activation ran (includes one-off costs; kept apart from steady state) */
  first: boolean;
  ok: boolean;
  callNs: number;
  validatedNs: number;
  takenNs: number;
  sentNs: number;
  worker: WorkerTimes;
  receivedNs: number;
  doneNs: number;
}

/** Receives every inference's trace (metrics and profiling implement this). */
export interface RunObserver {
  onRun(trace: RunTrace): void;
}

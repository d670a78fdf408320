/**
 * Messages between the main thread and an activation's worker. One `postMessage` each way per inference, with the
 * request id inside; buffers travel in the transfer list. Errors travel as {@link SerializedError} data because
 * structured clone drops custom fields such as `code`.
 */
import type { SerializedError } from '../errors.js';
import type { WireTensor } from '../tensor.js';

/** What the worker needs to load its graph (passed as `workerData`). */
export interface ActivationConfig {
  /** activation index within the session (stable across replacements) */
  index: number;
  /** file onnxruntime loads */
  modelPath: string;
  /** onnxruntime session options (plain data) */
  sessionOptions: Record<string, unknown>;
  /** directory for onnxruntime's profile file, when profiling */
  profileDir?: string;
  /** native pinning: CPU indices for this activation's thread, when the addon is available */
  cpus?: number[];
}

/** Main → worker. */
export type ToWorker =
  | { type: 'run'; id: number; feeds: WireTensor[] }
  | { type: 'end-profiling' }
  | { type: 'bench'; id: number; feeds: WireTensor[]; count: number; seconds: number; warmup: number; depth: number };

/** Timestamps taken in the worker, in process-wide monotonic nanoseconds (see `clock.ts`). */
export interface WorkerTimes {
  received: number;
  runStart: number;
  runEnd: number;
  posted: number;
}

/** Worker → main. */
export type FromWorker =
  | { type: 'ready'; loadMs: number; createMs: number; inputNames: string[]; outputNames: string[]; pinned?: number[] | undefined; pinningOff?: string | undefined }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor>; times: WorkerTimes }
  | { type: 'run-failed'; id: number; error: SerializedError; times: WorkerTimes }
  | { type: 'profile'; file: string | undefined; error?: SerializedError }
  | { type: 'bench-result'; id: number; count: number; firstNs: number; lastNs: number; samplesNs: Float64Array; warmupCount: number; error?: SerializedError };

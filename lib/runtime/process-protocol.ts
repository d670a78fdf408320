/**
 * Messages between an activation's child process (`isolation: 'process'`, see `process-host.ts`) and the main
 * process, beyond the worker protocol of `protocol.ts`, which travels unchanged over the IPC channel. The child hosts
 * the very worker thread a thread activation runs (`worker.ts`), so a feature added there works in both modes; what
 * is added here only bridges what a process boundary cannot carry: the shared benchmark control array (a
 * `SharedArrayBuffer` is not shareable between processes) and errors of the worker thread itself.
 */
import type { ActivationConfig, BenchRequest, ToWorker, FromWorker } from './protocol.js';
import type { Spilled } from './spill.js';

/** A run request whose large feeds were written to files (see `spill.ts`). */
export type HostRunRequest = Extract<ToWorker, { type: 'run' }> & { spilled?: Spilled[] };

/** A result whose large outputs were written to files (see `spill.ts`). */
export type HostResult = Extract<FromWorker, { type: 'result' }> & { spilled?: Spilled[] };

/**
 * A benchmark request as the child receives it: the control array is the child's own, and the parent hands it
 * the inferences it may claim (its share of a count-mode benchmark; a huge number in time mode).
 */
export interface HostBenchRequest extends Omit<BenchRequest, 'control' | 'parties'> {
  /** inferences this activation may run (count mode); `0x7fffffff` in time mode */
  remaining: number;
}

/** Main process → child. */
export type ToHost =
  /** the first message: the worker's config (what a thread activation gets as `workerData`) */
  | { type: 'host:init'; config: ActivationConfig; spillDir: string }
  | HostRunRequest
  | Exclude<ToWorker, BenchRequest | { type: 'run' }>
  | HostBenchRequest
  /** every activation finished its warm-up: start measuring */
  | { type: 'host:bench-go'; id: number }
  /** another activation failed (or the benchmark was stopped): stop */
  | { type: 'host:bench-abort'; id: number };

/** Child → main process. */
export type FromHost =
  | HostResult
  | Exclude<FromWorker, { type: 'result' }>
  /** the worker thread inside the child hit an uncaught error (it exits next) */
  | { type: 'host:error'; message: string }
  /** the worker thread has exited with this code: the child follows (sent last, so what came before is flushed) */
  | { type: 'host:exiting'; code: number }
  /** the worker finished its benchmark warm-up and waits at the barrier */
  | { type: 'host:bench-arrived'; id: number }
  /** measured inferences completed since the last report (for progress) */
  | { type: 'host:bench-completed'; id: number; count: number };

/** The inference count a time-mode benchmark hands each child: no limit but the clock. */
export const UNLIMITED = 0x7fffffff;

/**
 * The entry of an activation's child process (`isolation: 'process'`): it starts the same worker thread a thread
 * activation runs (`worker.ts`) and relays the worker protocol between it and the main process over the IPC
 * channel (forked with 'advanced' serialization, so typed arrays and bigints cross as they are). A fault inside
 * onnxruntime (SIGFPE, an abort) ends this process, not the user's: the main process sees the signal and replaces
 * the activation.
 *
 * What a process boundary cannot carry is bridged here: the benchmark's shared control array (see
 * `process-protocol.ts`) becomes a local one, whose barrier and progress are reported to the main process.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/worker-exec-argv.js';
import { BENCH_SLOT, BENCH_SLOTS, type FromWorker, type ToWorker } from './protocol.js';
import type { FromHost, HostBenchRequest, HostRunRequest, ToHost } from './process-protocol.js';
import { serializeError } from '../errors.js';
import { nowNs } from './clock.js';
import { removeSpillDir, spillTensors, unspillTensors } from './spill.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** How often a running benchmark's local control array is read for the barrier and progress (ms). */
const BENCH_POLL_MS = 5;

interface LocalBench {
  control: Int32Array;
  arrivedSent: boolean;
  completedSent: number;
  timer: ReturnType<typeof setInterval>;
}

let worker: Worker | undefined;
/** the private folder large tensors cross through (see spill.ts), given by the main process */
let spillDir = '';
const benches = new Map<number, LocalBench>();

function send(message: FromHost): void {
  process.send?.(message);
}

/**
 * Leave now. SIGKILL, not `process.exit()`: an exit waits for the worker thread, which cannot stop while onnxruntime
 * runs an inference that may never return.
 */
function die(): never {
  // no exit listener runs after SIGKILL: the spill folder lives in memory, remove it first
  if (spillDir !== '') removeSpillDir(spillDir);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

// The main process is gone (or closed the channel): nobody will ever ask this activation anything again.
process.on('disconnect', die);

function reportBench(id: number, bench: LocalBench): void {
  const control = bench.control;
  if (!bench.arrivedSent && Atomics.load(control, BENCH_SLOT.arrived) > 0) {
    bench.arrivedSent = true;
    send({ type: 'host:bench-arrived', id });
  }
  const completed = Atomics.load(control, BENCH_SLOT.completed);
  if (completed > bench.completedSent) {
    send({ type: 'host:bench-completed', id, count: completed - bench.completedSent });
    bench.completedSent = completed;
  }
}

function startBench(message: HostBenchRequest): void {
  const control = new Int32Array(new SharedArrayBuffer(4 * BENCH_SLOTS));
  control[BENCH_SLOT.remaining] = message.remaining;
  const bench: LocalBench = { control, arrivedSent: false, completedSent: 0, timer: setInterval(() => reportBench(message.id, bench), BENCH_POLL_MS) };
  benches.set(message.id, bench);
  const { remaining: _remaining, ...rest } = message;
  // Two parties: the worker and the main process (standing for every other activation), which opens the barrier
  // with 'host:bench-go' once all of them have warmed up.
  worker!.postMessage({ ...rest, type: 'bench', parties: 2, control: control.buffer as SharedArrayBuffer } satisfies ToWorker);
}

function signalBench(id: number, slot: number): void {
  const bench = benches.get(id);
  if (bench === undefined) return;
  Atomics.store(bench.control, slot, 1);
  Atomics.notify(bench.control, BENCH_SLOT.go);
}

/** Hand a run to the worker with its large feeds read back from their files; a failure answers the run. */
function forwardRun(message: HostRunRequest): void {
  const { spilled, ...run } = message;
  // Only buffers read back from spill files are this process's own. Feeds that came inline are views into the IPC
  // channel's read buffer, which other messages share (or into Node's Buffer pool, which cannot be transferred): they
  // are copied to the worker, and they are small (under the spill threshold).
  try {
    const transfer = spilled !== undefined && spilled.length > 0 ? unspillTensors(spillDir, run.feeds as never, spilled) : [];
    worker?.postMessage(run satisfies ToWorker, transfer);
  } catch (error) {
    // a run that never reaches the worker is answered here, or its caller would wait for ever
    const t = nowNs();
    send({ type: 'run-failed', id: run.id, error: serializeError(error), times: { received: t, runStart: t, runEnd: t, posted: t } });
  }
}

function onWorkerMessage(message: FromWorker): void {
  if (message.type === 'result') {
    try {
      const spilled = spillTensors(spillDir, 'out', message.id, message.outputs);
      send(spilled.length > 0 ? { ...message, spilled } : message);
    } catch (error) {
      send({ type: 'run-failed', id: message.id, error: serializeError(error), times: message.times });
    }
    return;
  }
  if (message.type === 'bench-result') {
    const bench = benches.get(message.id);
    if (bench !== undefined) {
      reportBench(message.id, bench);
      clearInterval(bench.timer);
      benches.delete(message.id);
    }
  }
  send(message);
}

function start(config: Extract<ToHost, { type: 'host:init' }>['config']): void {
  try {
    worker = startWorker(WORKER_URL, { workerData: config, stdout: false, stderr: false });
  } catch (error) {
    send({ type: 'host:error', message: `the child process could not start its worker thread: ${(error as Error)?.message ?? String(error)}` });
    exitWith(1);
    return;
  }
  worker.on('message', onWorkerMessage);
  worker.on('error', (error) => send({ type: 'host:error', message: error.message }));
  worker.on('exit', exitWith);
}

/** Leave with the worker's exit code (a test's crash code, 0 on close) once what was sent before is flushed. */
function exitWith(code: number): void {
  if (process.connected) process.send!({ type: 'host:exiting', code } satisfies FromHost, () => process.exit(code));
  else process.exit(code);
}

process.on('message', (message: ToHost) => {
  switch (message.type) {
    case 'host:init':
      spillDir = message.spillDir;
      start(message.config);
      return;
    case 'run':
      forwardRun(message);
      return;
    case 'bench':
      startBench(message);
      return;
    case 'host:bench-go':
      signalBench(message.id, BENCH_SLOT.go);
      return;
    case 'host:bench-abort':
      signalBench(message.id, BENCH_SLOT.abort);
      return;
    default:
      worker?.postMessage(message);
  }
});

/**
 * The Server scenario's issue clock: wakes the caller's event loop at each scheduled arrival, precisely, without
 * blocking that loop and without spinning a core.
 *
 * Why a thread: Node's timers have millisecond granularity (libuv's loop time is in ms), so `setTimeout` issues
 * queries up to about a millisecond late, which alone breaks LoadGen's "p99 lateness under 1 ms" rule at any rate.
 * Spinning on `setImmediate` until the due time would be precise, but it burns the main thread's core, and on a
 * two-core machine that is the core the activations need. Instead a small worker thread sleeps in
 * `Atomics.wait` with a fractional-millisecond timeout (a futex wait on a high-resolution kernel timer: it wakes
 * within tens of microseconds) and, at each arrival, posts the index of the last query due. A message wakes the
 * main loop at once when it is idle, so the query is issued by the session's ordinary `run()` on the main thread,
 * and the lateness measured there is what the load really was. The thread uses no CPU while it sleeps.
 */
import { Worker } from 'node:worker_threads';
import { nowNs } from '../runtime/clock.js';

// The worker's whole program, run with `eval` so that it needs no file beside the compiled library.
const CLOCK_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const times = new Float64Array(workerData.times);
const now = () => { const [s, ns] = process.hrtime(); return s * 1e9 + ns; };
Atomics.wait(control, 1, 0);
const n = times.length;
let i = 0;
while (i < n && Atomics.load(control, 0) === 0) {
  const wait = times[i] - now();
  if (wait > 0) { Atomics.wait(control, 0, 0, wait / 1e6); continue; }
  const t = now();
  let j = i;
  while (j + 1 < n && times[j + 1] <= t) j++;
  parentPort.postMessage(j);
  i = j + 1;
}
`;

/** Wakes `onDue(lastDueIndex)` at each arrival of an absolute schedule (ns on the library's monotonic clock, `process.hrtime`). */
export class ArrivalClock {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #times: Float64Array;
  readonly #online: Promise<void>;

  /**
   * @param count the number of arrivals (their times are given to {@link start})
   * @param onDue called on the caller's thread with the index of the last arrival that is due
   */
  constructor(count: number, onDue: (lastDue: number) => void) {
    this.#control = new Int32Array(new SharedArrayBuffer(8));
    this.#times = new Float64Array(new SharedArrayBuffer(Math.max(8, count * 8)), 0, count);
    this.#worker = new Worker(CLOCK_SOURCE, { eval: true, workerData: { control: this.#control.buffer, times: this.#times.buffer } });
    this.#worker.on('message', (j: number) => onDue(j));
    this.#online = new Promise((resolve, reject) => {
      this.#worker.once('online', () => resolve());
      this.#worker.once('error', reject);
    });
  }

  /** Resolves when the clock's thread is running (starting a thread takes tens of ms: start the schedule after). */
  ready(): Promise<void> {
    return this.#online;
  }

  /** Start waking at `absoluteNs` (ascending, ns on the `process.hrtime` clock that every thread shares). */
  start(absoluteNs: Float64Array): void {
    this.#times.set(absoluteNs.subarray(0, this.#times.length));
    Atomics.store(this.#control, 1, 1);
    Atomics.notify(this.#control, 1);
  }

  /** Stop the thread (idempotent). */
  async stop(): Promise<void> {
    Atomics.store(this.#control, 0, 1);
    Atomics.store(this.#control, 1, 1);
    Atomics.notify(this.#control, 0);
    Atomics.notify(this.#control, 1);
    await this.#worker.terminate();
  }
}

/** The time now, on the clock the schedule uses (re-exported so scenario code reads one clock). */
export { nowNs };

/**
 * Main-thread side of {@link PlainWorkerData} workers: start one, send a buffer, get the reply with timings.
 */
import { Worker } from 'node:worker_threads';
import type { PlainReply, PlainRequest, PlainWorkerData } from './plain-worker.js';

const URL_ = new URL('./plain-worker.js', import.meta.url);

/** A started plain worker. */
export class PlainWorker {
  #worker: Worker;
  #pending = new Map<number, (r: PlainReply) => void>();
  #next = 1;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: PlainReply) => {
      const done = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      done?.(m);
    });
  }

  /** Start a worker and wait until its session (if any) is created. */
  static async start(data: PlainWorkerData): Promise<PlainWorker> {
    const worker = new Worker(URL_, { workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new PlainWorker(worker);
  }

  /** Send `data` (transferred) and resolve with the reply; an echo worker first blocks for `delayMs`. */
  run(data: Float32Array, delayMs?: number): Promise<PlainReply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ id, data, ...(delayMs === undefined ? {} : { delayMs }) } satisfies PlainRequest, [data.buffer as ArrayBuffer]);
    });
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}

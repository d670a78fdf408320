/**
 * An activation's child process (`isolation: 'process'`), seen from the main process through the few members of a
 * worker thread that `Activation` uses (`postMessage`, the `message`/`error`/`exit` events, `ref`/`unref`,
 * `threadId`), so that one `Activation` class drives both engines. The child runs `process-host.ts`, which hosts the
 * same worker thread (`worker.ts`) and relays its protocol over the IPC channel.
 *
 * What a thread cannot offer and a process does: the child can be killed at any moment, even inside an inference
 * that never returns ({@link kill}), and a fault inside onnxruntime ends the child only. Its death by a signal is
 * reported as an `error` event whose message names the signal, then an `exit` event.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';
import { BENCH_SLOT, type ActivationConfig, type BenchRequest, type FromWorker, type ToWorker } from './protocol.js';
import { UNLIMITED, type FromHost, type ToHost } from './process-protocol.js';
import { workerExecArgv } from '../workers/worker-exec-argv.js';
import { makeSpillDir, removeSpillDir, spillTensors, unspillTensors } from './spill.js';
import { serializeError } from '../errors.js';

const HOST_PATH = fileURLToPath(new URL('./process-host.js', import.meta.url));

/** How often a running benchmark's shared control array is read for the barrier and an abort (ms). */
const BENCH_POLL_MS = 5;

/** The members of a `Worker` that `Activation` uses: what both engines provide. */
export interface ActivationWorker {
  postMessage(message: ToWorker, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: FromWorker) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  once(event: 'exit', listener: (code: number) => void): this;
  ref(): void;
  unref(): void;
  /** the thread id, or the child's pid; -1 once it has exited */
  readonly threadId: number;
  /**
   * End request `id` now, queued or in flight, if this transport can (the native engine: onnxruntime's
   * `RunOptionsSetTerminate`); its 'run-failed' answer follows soon and frees its slot. Absent, or false when the
   * transport holds no such request: the request keeps its slot until its inference returns.
   */
  cancel?(id: number): boolean;
}

interface BenchBridge {
  control: Int32Array;
  parties: number;
  goSent: boolean;
  abortSent: boolean;
  timer: ReturnType<typeof setInterval>;
}

/** Inferences already handed out of each count-mode benchmark, by control array: how many activations claimed. */
const claims = new WeakMap<SharedArrayBuffer, number>();

/** The share of a count-mode benchmark's inferences the next activation takes (exact total, as even as can be). */
function claimShare(buffer: SharedArrayBuffer, parties: number): number {
  const control = new Int32Array(buffer);
  const claimed = claims.get(buffer) ?? 0;
  claims.set(buffer, claimed + 1);
  const left = Atomics.load(control, BENCH_SLOT.remaining);
  const share = Math.max(0, Math.ceil(left / Math.max(1, parties - claimed)));
  Atomics.sub(control, BENCH_SLOT.remaining, share);
  return share;
}

/** Why a child process ended, in words: names the signal, and what usually sends it. */
export function describeChildEnd(pid: number, signal: NodeJS.Signals | null, killedBecause: string | undefined): string {
  if (killedBecause !== undefined) return `its child process (pid ${pid}) was killed ${killedBecause}`;
  const hint = signal === 'SIGFPE' ? ' (an arithmetic fault inside onnxruntime, such as an integer division of the smallest value by -1)'
    : signal === 'SIGABRT' ? ' (onnxruntime or Node aborted, for example when it ran out of memory)'
    : signal === 'SIGSEGV' || signal === 'SIGBUS' ? ' (a memory fault inside onnxruntime)'
    : signal === 'SIGKILL' ? ' (by the system or another process; it may have run out of memory)'
    : '';
  return `its child process (pid ${pid}) was killed by ${signal}${hint}`;
}

/** The child process of one activation. */
export class ChildWorker extends EventEmitter implements ActivationWorker {
  readonly #child: ChildProcess;
  readonly #pid: number;
  #exited = false;
  /** set by {@link kill}: why this process ended the child (named in the crash error instead of the signal alone) */
  #killedBecause: string | undefined;
  #benches = new Map<number, BenchBridge>();
  /** the private folder large tensors cross through (see spill.ts); removed when the child exits */
  readonly #spillDir: string;

  /**
   * Fork the child and send it `config`. The options Node was started with are passed on (a heap limit applies to
   * the child too), less the entry-point ones a module path cannot take.
   *
   * @throws whatever `fork()` throws (the caller wraps it in its `QaicError`)
   */
  constructor(config: ActivationConfig) {
    super();
    // the tests' fault-injection slot is shared memory, which a process boundary cannot carry
    const { faults: _faults, ...plain } = config;
    this.#spillDir = makeSpillDir();
    try {
      this.#child = fork(HOST_PATH, [], {
        serialization: 'advanced',
        execArgv: workerExecArgv() ?? process.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (error) {
      removeSpillDir(this.#spillDir);
      throw error;
    }
    this.#pid = this.#child.pid ?? -1;
    this.#child.on('message', (message: FromHost) => this.#onMessage(message));
    this.#child.on('error', (error) => {
      // A spawn failure is the child's end (no exit follows). A message that could not be sent (the channel closed
      // under it) is not: the exit that follows names the real cause, such as the signal that killed the child.
      if (!this.#exited && this.#child.pid === undefined) {
        this.#exited = true;
        removeSpillDir(this.#spillDir);
        this.emit('error', error);
        this.emit('exit', 1);
      }
    });
    this.#child.on('exit', (code, signal) => this.#onExit(code, signal));
    this.#send({ type: 'host:init', config: plain, spillDir: this.#spillDir });
  }

  get threadId(): number {
    return this.#exited ? -1 : this.#pid;
  }

  /** Whether the child has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Send a worker-protocol message; a benchmark is bridged (its control array cannot cross). */
  postMessage(message: ToWorker): void {
    if (message.type === 'bench') {
      this.#startBench(message);
    } else if (message.type === 'run') {
      // a copy of the list: the caller's request keeps its own feeds
      const feeds = [...message.feeds];
      const spilled = spillTensors(this.#spillDir, 'in', message.id, feeds as never);
      this.#send(spilled.length > 0 ? { ...message, feeds, spilled } : { ...message, feeds });
    } else {
      this.#send(message);
    }
  }

  /**
   * End the child now with SIGKILL, whatever it is doing (even an inference that never returns). `because` says
   * why, in the words of "killed ..." (e.g. "to end a run that overran run_timeout (500 ms)"): the crash error names
   * it. No-op once the child has exited.
   */
  kill(because: string): void {
    if (this.#exited) return;
    this.#killedBecause ??= because;
    this.#child.kill('SIGKILL');
  }

  /** Keep the process alive for this child (while it has work the caller waits for). */
  ref(): void {
    this.#child.ref();
    (this.#child.channel as { ref?: () => void } | null | undefined)?.ref?.();
  }

  /** Let the process exit although this child runs (an idle activation must not hold the process). */
  unref(): void {
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | null | undefined)?.unref?.();
  }

  #send(message: ToHost): void {
    if (this.#exited || !this.#child.connected) throw new Error(`the activation's child process (pid ${this.#pid}) has exited`);
    this.#child.send(message);
  }

  #onMessage(message: FromHost): void {
    switch (message.type) {
      case 'host:error':
        this.emit('error', new Error(`its worker thread failed: ${message.message}`));
        return;
      case 'host:exiting':
        return;
      case 'host:bench-arrived': {
        const bench = this.#benches.get(message.id);
        if (bench === undefined) return;
        if (Atomics.add(bench.control, BENCH_SLOT.arrived, 1) + 1 >= bench.parties) Atomics.store(bench.control, BENCH_SLOT.go, 1);
        this.#pollBench(message.id, bench);
        return;
      }
      case 'host:bench-completed': {
        const bench = this.#benches.get(message.id);
        if (bench !== undefined) Atomics.add(bench.control, BENCH_SLOT.completed, message.count);
        return;
      }
      case 'bench-result':
        this.#endBench(message.id);
        break;
      case 'result': {
        const { spilled, ...result } = message;
        if (spilled === undefined || spilled.length === 0) break;
        try {
          unspillTensors(this.#spillDir, result.outputs, spilled);
        } catch (error) {
          this.emit('message', { type: 'run-failed', id: result.id, error: serializeError(error), times: result.times });
          return;
        }
        this.emit('message', result);
        return;
      }
      default:
        break;
    }
    this.emit('message', message);
  }

  #startBench(message: BenchRequest): void {
    const { control: buffer, parties, ...rest } = message;
    const remaining = message.seconds > 0 ? UNLIMITED : claimShare(buffer, parties);
    const bench: BenchBridge = {
      control: new Int32Array(buffer), parties, goSent: false, abortSent: false,
      timer: setInterval(() => this.#pollBench(message.id, bench), BENCH_POLL_MS),
    };
    // the timer must not keep the process alive by itself: the activation refs the child while a benchmark runs
    bench.timer.unref();
    this.#benches.set(message.id, bench);
    this.#send({ ...rest, remaining });
  }

  /** Carry the shared barrier and abort flag (set by the other activations or the pool) to the child. */
  #pollBench(id: number, bench: BenchBridge): void {
    try {
      if (!bench.abortSent && Atomics.load(bench.control, BENCH_SLOT.abort) !== 0) {
        bench.abortSent = true;
        this.#send({ type: 'host:bench-abort', id });
      }
      if (!bench.goSent && Atomics.load(bench.control, BENCH_SLOT.go) !== 0) {
        bench.goSent = true;
        this.#send({ type: 'host:bench-go', id });
      }
    } catch {
      // the child is gone: its exit rejects the benchmark
      this.#endBench(id);
    }
  }

  #endBench(id: number): void {
    const bench = this.#benches.get(id);
    if (bench === undefined) return;
    clearInterval(bench.timer);
    this.#benches.delete(id);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return; // already reported (a spawn failure)
    this.#exited = true;
    for (const id of [...this.#benches.keys()]) this.#endBench(id);
    removeSpillDir(this.#spillDir);
    if (signal !== null || this.#killedBecause !== undefined) {
      this.emit('error', new Error(describeChildEnd(this.#pid, signal, this.#killedBecause)));
    }
    // a shell's convention for a death by signal: 128 + its number
    this.emit('exit', code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
  }
}

/**
 * The caller's side of the compile worker, the thread that builds programs (passes, onnxruntime optimization, the
 * program file): one shared thread per process, started by the first compile that needs it and reused by later ones
 * (a conformance run compiles 140 models through it). It is unref'd while idle, so an idle compiler never keeps the
 * process alive.
 */
import type { Worker } from 'node:worker_threads';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QaicError, deserializeError } from '../errors.js';
import type { CompileJob, FromCompileWorker } from './compile-protocol.js';
import type { CompileReport } from './report.js';
import { startWorker, workerExecArgv } from '../workers/worker-exec-argv.js';
import { describeChildEnd } from '../runtime/child-worker.js';

interface Pending {
  resolve: (report: CompileReport) => void;
  reject: (error: Error) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();
let started = 0;

function failAll(error: Error): void {
  for (const p of pending.values()) p.reject(error);
  pending.clear();
}

function ensureWorker(): Worker {
  if (worker !== undefined) return worker;
  // entry-point options such as --input-type would make the worker fail to start (see worker-exec-argv.ts)
  const w = startWorker(new URL('./compile-worker.js', import.meta.url), {});
  started++;
  w.on('message', (message: FromCompileWorker) => {
    const p = pending.get(message.id);
    if (p === undefined) return;
    pending.delete(message.id);
    if (pending.size === 0) w.unref();
    if (message.type === 'done') p.resolve(message.report);
    else p.reject(deserializeError(message.error, 'QAIC_COMPILE_FAILED'));
  });
  w.on('error', (error) => {
    if (worker === w) worker = undefined;
    failAll(new QaicError('QAIC_COMPILE_FAILED', `the compile worker crashed: ${error.message}`, { cause: error }));
  });
  w.on('exit', (code) => {
    if (worker === w) worker = undefined;
    if (pending.size > 0) failAll(new QaicError('QAIC_COMPILE_FAILED', `the compile worker exited (code ${code}) during a compile`));
  });
  worker = w;
  return w;
}

/**
 * Build one program on the shared compile worker, or with `isolation: 'process'` in a child process of its own. The
 * model bytes are transferred to the worker (the caller loses them).
 */
export function runCompileJob(job: Omit<CompileJob, 'type' | 'id'>, isolation: 'thread' | 'process' = 'thread'): Promise<CompileReport> {
  if (isolation === 'process') return runInChildProcess({ type: 'compile', id: nextId++, ...job });
  let w: Worker;
  try {
    w = ensureWorker();
  } catch (error) {
    return Promise.reject(new QaicError('QAIC_COMPILE_FAILED', `the compile worker could not start: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
  }
  const id = nextId++;
  return new Promise<CompileReport>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    const bytes = job.modelBytes;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const message: CompileJob = { type: 'compile', id, ...job, modelBytes: whole ? bytes : bytes.slice() };
    w.postMessage(message, [message.modelBytes.buffer as ArrayBuffer]);
  });
}

/** How many compile worker threads this process has started (tests use it to prove "before any worker starts"). */
export function compileWorkersStarted(): number {
  return started;
}

/** Stop the shared compile worker (the next compile starts a new one). */
export async function stopCompileWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w !== undefined) await w.terminate();
}

const COMPILE_PROCESS = fileURLToPath(new URL('./compile-process.js', import.meta.url));

/**
 * Build one program in a child process that exits after it (`compile-process.ts`): a fault inside onnxruntime while
 * it optimizes the graph ends the child, and is reported as `QAIC_COMPILE_FAILED` naming the signal. Each compile
 * pays for starting Node and importing onnxruntime (a few hundred milliseconds); cache hits pay nothing.
 */
function runInChildProcess(job: CompileJob): Promise<CompileReport> {
  return new Promise<CompileReport>((resolve, reject) => {
    let answered = false;
    let child;
    try {
      child = fork(COMPILE_PROCESS, [], { serialization: 'advanced', execArgv: workerExecArgv() ?? process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      started++;
    } catch (error) {
      reject(new QaicError('QAIC_COMPILE_FAILED', `the compile process could not start: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
      return;
    }
    const pid = child.pid ?? -1;
    child.on('message', (message: FromCompileWorker) => {
      if (answered || message.id !== job.id) return;
      answered = true;
      if (message.type === 'done') resolve(message.report);
      else reject(deserializeError(message.error, 'QAIC_COMPILE_FAILED'));
    });
    child.on('error', (error) => {
      if (answered) return;
      answered = true;
      child.kill('SIGKILL');
      reject(new QaicError('QAIC_COMPILE_FAILED', `the compile process failed: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      if (answered) return;
      answered = true;
      const why = signal !== null ? describeChildEnd(pid, signal, undefined) : `its child process (pid ${pid}) exited with code ${code}`;
      reject(new QaicError('QAIC_COMPILE_FAILED', `compiling ${job.source} failed: ${why} while building the program (isolation: 'process' kept this process alive)`, {
        details: { file: job.modelPath, ...(signal === null ? { exitCode: code } : { signal }) },
      }));
    });
    child.send(job);
  });
}

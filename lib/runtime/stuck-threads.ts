/**
 * Worker threads that `stop()` gave up waiting for (busy inside onnxruntime with an inference that never returns),
 * and what happens to them when the process exits.
 *
 * A thread cannot be stopped inside a native call, and Node's exit, natural or by `process.exit()`, joins every
 * worker thread first: one that never returns hangs the process forever, after its `exit` event. So when the
 * process exits while such a thread is still busy, it is ended with SIGKILL from its last `exit` listener, after a
 * line on stderr saying why. Its exit status is then that of SIGKILL (137), not the code asked for: the price of
 * exiting at all. `isolation: 'process'` avoids all of this (the activation's child is killed instead).
 */
import type { ActivationWorker } from './child-worker.js';

const stuck = new Set<ActivationWorker>();
let hooked = false;

function onExit(code: number): void {
  if (stuck.size === 0) return;
  process.stderr.write(`qaic: ${stuck.size} activation thread(s) are still inside onnxruntime (an inference that never returned); Node would wait for them forever, so this process ends with SIGKILL instead of exit code ${code} (isolation: 'process' avoids this)\n`);
  process.kill(process.pid, 'SIGKILL');
}

/** Stop waiting for `worker`: it no longer keeps the process alive, and does not keep it from exiting. */
export function abandonThread(worker: ActivationWorker): void {
  worker.unref();
  if (worker.threadId === -1) return;
  stuck.add(worker);
  worker.once('exit', () => stuck.delete(worker));
  if (!hooked) {
    hooked = true;
    process.on('exit', onExit);
  }
}

/** Threads given up on and still running (for tests and diagnostics). */
export function stuckThreads(): number {
  return stuck.size;
}

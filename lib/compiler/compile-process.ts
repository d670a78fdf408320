/**
 * The entry of a compile child process (`isolation: 'process'`): builds one program, as the compile worker thread
 * does (see `build-program.ts`), answers over the IPC channel and exits. onnxruntime folds constants while it
 * optimizes the graph, so a model whose constants fault (an integer division of the smallest value by -1 raises
 * SIGFPE) ends this process, not the caller's: the caller reports the signal as `QAIC_COMPILE_FAILED`.
 */
import { serializeError } from '../errors.js';
import { buildProgram } from './build-program.js';
import type { CompileJob, FromCompileWorker } from './compile-protocol.js';

function answer(message: FromCompileWorker): void {
  // exit once the answer is written: nothing else is asked of a compile process
  if (process.connected) process.send!(message, () => process.exit(0));
  else process.exit(0);
}

// the caller is gone: nobody will read the program's report (SIGKILL: an exit would wait for onnxruntime's threads)
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

process.once('message', (job: CompileJob) => {
  buildProgram(job).then(
    (report) => answer({ type: 'done', id: job.id, report }),
    (error: unknown) => answer({ type: 'failed', id: job.id, error: serializeError(error) }),
  );
});

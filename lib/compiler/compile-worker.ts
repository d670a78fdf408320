/**
 * The compile worker thread's entry: builds programs one job at a time (see `build-program.ts`). The thread stays
 * up between jobs so that a batch of compiles pays the onnxruntime import once.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.js';
import { buildProgram } from './build-program.js';
import type { CompileJob, FromCompileWorker } from './compile-protocol.js';

const port = parentPort!;

port.on('message', (job: CompileJob) => {
  buildProgram(job).then(
    (report) => port.postMessage({ type: 'done', id: job.id, report } satisfies FromCompileWorker),
    (error: unknown) => port.postMessage({ type: 'failed', id: job.id, error: serializeError(error) } satisfies FromCompileWorker),
  );
});

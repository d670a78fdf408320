/**
 * One activation for the memory benchmark: a worker thread that creates one plain onnxruntime-node session from a
 * path with the given session options and reports 'created'; when the parent says go, runs it once (so mapped
 * weight pages and run-time buffers are in, as in real use) and reports 'ran'. With no model it reports both stages
 * the same way (the cost of the worker itself).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

/** What the memory worker is started with. */
export interface MemoryWorkerData {
  modelPath?: string;
  sessionOptions?: Record<string, unknown>;
  input?: { name: string; shape: number[] };
}

const config = workerData as MemoryWorkerData;

async function main(): Promise<void> {
  // hold the worker (and its session) until the parent terminates it
  parentPort!.on('message', () => undefined);
  const go = () => new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
  if (config.modelPath === undefined) {
    parentPort!.postMessage({ stage: 'created' });
    await go();
    parentPort!.postMessage({ stage: 'ran' });
    return;
  }
  // as the library's activation does: require() costs ~0.9 MiB less per worker than import() of this CommonJS package
  const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
  const session = await ort.InferenceSession.create(config.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, ...config.sessionOptions } as never);
  parentPort!.postMessage({ stage: 'created' });
  await go();
  const { name, shape } = config.input!;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  await session.run({ [name]: new ort.Tensor('float32', data, shape) });
  parentPort!.postMessage({ stage: 'ran' });
}

main().catch((error: unknown) => {
  parentPort!.postMessage({ stage: 'failed', error: String((error as Error)?.message ?? error) });
});

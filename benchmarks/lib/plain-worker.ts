/**
 * The hand-written baselines a user could write without this library: a worker thread that either echoes the
 * buffers it gets (`mode: 'echo'`, the floor any worker design pays) or runs them through its own plain
 * onnxruntime-node session (`mode: 'ort'`). One postMessage each way, buffers transferred both ways, the
 * onnxruntime run timed inside the worker with the same process-wide clock as the library's traces.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nowNs } from '../../lib/runtime/clock.js';

/** What the worker is started with. */
export interface PlainWorkerData {
  mode: 'echo' | 'ort';
  model?: string;
  input?: string;
  shape?: number[];
  intraOpNumThreads?: number;
}

/** Main → worker. */
export interface PlainRequest {
  id: number;
  data: Float32Array;
  /** echo mode: block this long (as a synchronous onnxruntime run would) before echoing, milliseconds */
  delayMs?: number;
}

/** Worker → main: the outputs (transferred) and the run's start and end in nanoseconds. */
export interface PlainReply {
  id: number;
  outputs: Float32Array[];
  runStartNs: number;
  runEndNs: number;
}

const config = workerData as PlainWorkerData;
const port = parentPort!;

async function main(): Promise<void> {
  if (config.mode === 'echo') {
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    port.on('message', (m: PlainRequest) => {
      const runStartNs = nowNs();
      if (m.delayMs !== undefined && m.delayMs > 0) Atomics.wait(sleeper, 0, 0, m.delayMs);
      const runEndNs = nowNs();
      port.postMessage({ id: m.id, outputs: [m.data], runStartNs, runEndNs } satisfies PlainReply, [m.data.buffer as ArrayBuffer]);
    });
    port.postMessage('ready');
    return;
  }
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(config.model!, {
    intraOpNumThreads: config.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  port.on('message', (m: PlainRequest) => {
    const feeds = { [config.input!]: new ort.Tensor('float32', m.data, config.shape!) };
    const runStartNs = nowNs();
    void session.run(feeds).then((results) => {
      const runEndNs = nowNs();
      const outputs: Float32Array[] = [];
      for (const t of Object.values(results)) outputs.push(t.data as Float32Array);
      port.postMessage({ id: m.id, outputs, runStartNs, runEndNs } satisfies PlainReply, outputs.map((o) => o.buffer as ArrayBuffer));
    });
  });
  port.postMessage('ready');
}

void main();

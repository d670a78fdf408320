/**
 * Worker side of the activation-time benchmark: in one warm worker thread (onnxruntime already imported, as in any
 * activation after the first), create a session from each variant, run it once, release it; variants interleaved
 * with their order rotated every round. Times in milliseconds, `performance.now()`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lcgFloat32 } from './stats.js';

/** One way of getting a session for the same model. */
export interface ActivationVariant {
  name: string;
  modelPath: string;
  sessionOptions: Record<string, unknown>;
}

export interface ActivationWorkerData {
  variants: ActivationVariant[];
  input: string;
  shape: number[];
  rounds: number;
  warmup: number;
}

/** Per variant: create and first-run times, one entry per timed round. */
export type ActivationSamples = Record<string, { createMs: number[]; firstRunMs: number[] }>;

const config = workerData as ActivationWorkerData;

async function main(): Promise<void> {
  const ort = await import('onnxruntime-node');
  const count = config.shape.reduce((a, b) => a * b, 1);
  const data = lcgFloat32(count);
  const samples: ActivationSamples = {};
  for (const v of config.variants) samples[v.name] = { createMs: [], firstRunMs: [] };
  for (let round = 0; round < config.warmup + config.rounds; round++) {
    const k = round % config.variants.length;
    const order = [...config.variants.slice(k), ...config.variants.slice(0, k)];
    for (const v of order) {
      const t0 = performance.now();
      const session = await ort.InferenceSession.create(v.modelPath, { intraOpNumThreads: 1, ...v.sessionOptions } as never);
      const t1 = performance.now();
      await session.run({ [config.input]: new ort.Tensor('float32', data.slice(), config.shape) });
      const t2 = performance.now();
      await session.release();
      if (round >= config.warmup) {
        samples[v.name]!.createMs.push(t1 - t0);
        samples[v.name]!.firstRunMs.push(t2 - t1);
      }
    }
  }
  parentPort!.postMessage(samples);
}

void main();

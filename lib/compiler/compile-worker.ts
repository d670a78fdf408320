/**
 * The compile worker: runs onnxruntime's graph optimization once and saves the result (`optimizedModelFilePath`),
 * checks that the saved graph loads the way activations will load it, and does one profiled dry run with zero
 * inputs to learn static output shapes and every node's shapes (for the MAC count). One job at a time; the thread
 * stays up between jobs so that a batch of compiles pays the onnxruntime import once.
 */
import { parentPort } from 'node:worker_threads';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QaicError, serializeError } from '../errors.js';
import { allocate } from '../dtypes.js';
import { unsupportedFromOrtMessage } from './operators.js';
import { ACTIVATION_LOAD_OPTIONS } from './load-options.js';
import type { FromOptimizer, OptimizeRequest } from './optimize-protocol.js';
import type { ProfiledNode } from './report.js';

type Ort = typeof import('onnxruntime-node');

const port = parentPort!;
let ortPromise: Promise<Ort> | undefined;

function ortError(error: unknown, source: string, stage: string): QaicError {
  const message = error instanceof Error ? error.message : String(error);
  return unsupportedFromOrtMessage(message, source)
    ?? new QaicError('QAIC_COMPILE_FAILED', `${source}: onnxruntime could not ${stage}: ${message.split('\n')[0]}`, { cause: error, details: { file: source, stage } });
}

function parseProfile(file: string): ProfiledNode[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as Array<{ cat?: string; args?: Record<string, unknown> }>;
  const shapesOf = (list: unknown): number[][] => (Array.isArray(list) ? list.map((entry) => {
    const dims = Object.values(entry as Record<string, unknown>)[0];
    return Array.isArray(dims) ? dims.map(Number) : [];
  }) : []);
  const nodes: ProfiledNode[] = [];
  for (const e of events) {
    if (e.cat !== 'Node' || e.args === undefined || typeof e.args.op_name !== 'string') continue;
    nodes.push({ op: e.args.op_name, inputs: shapesOf(e.args.input_type_shape), outputs: shapesOf(e.args.output_type_shape) });
  }
  return nodes;
}

async function optimize(job: OptimizeRequest): Promise<FromOptimizer> {
  const ort = await (ortPromise ??= import('onnxruntime-node').then((m) => {
    // Model-load warnings (old opsets, hardware-specific optimized files) are reported by the compile report instead.
    m.env.logLevel = 'error';
    return m;
  }));
  const fixedPath = join(job.workDir, 'fixed.onnx');
  const optimizedPath = join(job.workDir, 'optimized.onnx');
  writeFileSync(fixedPath, job.modelBytes);
  const t0 = performance.now();
  try {
    const s = await ort.InferenceSession.create(fixedPath, {
      graphOptimizationLevel: job.level, optimizedModelFilePath: optimizedPath, intraOpNumThreads: 1, logSeverityLevel: 3,
    });
    await s.release();
  } catch (error) {
    throw ortError(error, job.source, 'load the model');
  }
  // The program stores this file: make sure it loads exactly as activations will load it.
  try {
    const check = await ort.InferenceSession.create(optimizedPath, { ...ACTIVATION_LOAD_OPTIONS, intraOpNumThreads: 1, logSeverityLevel: 3 } as never);
    await check.release();
  } catch (error) {
    throw ortError(error, job.source, 'load its optimized graph');
  }
  const optimizeMs = performance.now() - t0;
  const optimizedBytes = readFileSync(optimizedPath);
  const outputShapes: Record<string, number[]> = {};
  let nodes: ProfiledNode[] = [];
  let dryRunError: string | undefined;
  const t1 = performance.now();
  if (job.dryRun !== undefined) {
    // Profile the un-optimized graph so the node shapes are those of the model's own operators (Conv, MatMul, ...),
    // not of the fused and re-laid-out kernels that optimization produced.
    const prefix = join(job.workDir, 'dryrun');
    let session: import('onnxruntime-node').InferenceSession | undefined;
    try {
      session = await ort.InferenceSession.create(fixedPath, {
        graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix, logSeverityLevel: 3,
        // prepacked weights drop out of the profile's input shapes (ConvTranspose's filter): keep them visible
        extra: { session: { disable_prepacking: '1' } },
      } as never);
      const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const input of job.dryRun) {
        const count = input.shape.reduce((p, d) => p * d, 1);
        const data = input.dtype === 'string' ? new Array<string>(count).fill('') : allocate(input.dtype, count);
        feeds[input.name] = new ort.Tensor(input.dtype as 'float32', data as Float32Array, input.shape);
      }
      const results = await session.run(feeds);
      for (const [name, tensor] of Object.entries(results)) outputShapes[name] = [...tensor.dims];
      session.endProfiling();
      const file = readdirSync(job.workDir).filter((f) => f.startsWith('dryrun_') && f.endsWith('.json')).sort().pop();
      if (file !== undefined) nodes = parseProfile(join(job.workDir, file));
    } catch (error) {
      dryRunError = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    } finally {
      await session?.release().catch(() => undefined);
    }
  }
  const result: FromOptimizer = {
    type: 'done', id: job.id, optimizedBytes, outputShapes, nodes, optimizeMs, dryRunMs: performance.now() - t1,
  };
  if (dryRunError !== undefined) result.dryRunError = dryRunError;
  return result;
}

port.on('message', (job: OptimizeRequest) => {
  optimize(job).then(
    (done) => {
      const bytes = done.type === 'done' ? done.optimizedBytes : undefined;
      port.postMessage(done, bytes === undefined ? [] : [bytes.buffer as ArrayBuffer]);
    },
    (error: unknown) => port.postMessage({ type: 'failed', id: job.id, error: serializeError(error) } satisfies FromOptimizer),
  );
});

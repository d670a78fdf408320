/**
 * onnxruntime's part of compiling (runs on the compile worker thread): the graph optimization, run once and saved
 * (`optimizedModelFilePath`); a load check of the saved graph exactly as activations will load it; one profiled dry
 * run with zero inputs that gives static output shapes and every node's shapes (for the MAC count).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QaicError } from '../errors.js';
import { allocate, type DType } from '../dtypes.js';
import { unsupportedFromOrtMessage } from './operators.js';
import { ACTIVATION_LOAD_OPTIONS } from './load-options.js';
import type { ProfiledNode } from './report.js';

type Ort = typeof import('onnxruntime-node');

/** One input of the dry run: zeros of this dtype and shape. */
export interface DryRunInput {
  name: string;
  dtype: DType;
  shape: number[];
}

/** What {@link optimize} found. */
export interface Optimized {
  optimizedBytes: Uint8Array;
  outputShapes: Record<string, number[]>;
  nodes: ProfiledNode[];
  optimizeMs: number;
  dryRunMs: number;
  dryRunError?: string;
}

let ortPromise: Promise<Ort> | undefined;

/** onnxruntime as the compile worker uses it (imported once, its log level at 'error'). */
export function loadOrt(): Promise<Ort> {
  return (ortPromise ??= import('onnxruntime-node').then((m) => {
    // Model-load warnings (old opsets, hardware-specific optimized files) are reported by the compile report instead.
    m.env.logLevel = 'error';
    return m;
  }));
}

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

/**
 * Optimize `modelBytes` at `level`, check the result loads with {@link ACTIVATION_LOAD_OPTIONS}, and dry-run the
 * un-optimized model with zero inputs (skipped when `dryRun` is undefined). Scratch files go to `workDir`.
 *
 * @throws QaicError `QAIC_UNSUPPORTED_OPERATOR` (onnxruntime has no kernel), `QAIC_COMPILE_FAILED`
 */
export async function optimize(modelBytes: Uint8Array, workDir: string, source: string, level: 'all' | 'extended' | 'basic' | 'disabled', dryRun: DryRunInput[] | undefined): Promise<Optimized> {
  const ort = await loadOrt();
  const fixedPath = join(workDir, 'fixed.onnx');
  const optimizedPath = join(workDir, 'optimized.onnx');
  writeFileSync(fixedPath, modelBytes);
  const t0 = performance.now();
  try {
    const s = await ort.InferenceSession.create(fixedPath, {
      graphOptimizationLevel: level, optimizedModelFilePath: optimizedPath, intraOpNumThreads: 1, logSeverityLevel: 3,
    });
    await s.release();
  } catch (error) {
    throw ortError(error, source, 'load the model');
  }
  // The program stores this file: make sure it loads exactly as activations will load it.
  try {
    const check = await ort.InferenceSession.create(optimizedPath, { ...ACTIVATION_LOAD_OPTIONS, intraOpNumThreads: 1, logSeverityLevel: 3 } as never);
    await check.release();
  } catch (error) {
    throw ortError(error, source, 'load its optimized graph');
  }
  const optimizeMs = performance.now() - t0;
  const optimizedBytes = readFileSync(optimizedPath);
  const outputShapes: Record<string, number[]> = {};
  let nodes: ProfiledNode[] = [];
  let dryRunError: string | undefined;
  const t1 = performance.now();
  if (dryRun !== undefined) {
    // Profile the un-optimized graph so the node shapes are those of the model's own operators (Conv, MatMul, ...),
    // not of the fused and re-laid-out kernels that optimization produced.
    const prefix = join(workDir, 'dryrun');
    let session: import('onnxruntime-node').InferenceSession | undefined;
    try {
      session = await ort.InferenceSession.create(fixedPath, {
        graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix, logSeverityLevel: 3,
        // prepacked weights drop out of the profile's input shapes (ConvTranspose's filter): keep them visible
        extra: { session: { disable_prepacking: '1' } },
      } as never);
      const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const input of dryRun) {
        const count = input.shape.reduce((p, d) => p * d, 1);
        const data = input.dtype === 'string' ? new Array<string>(count).fill('') : allocate(input.dtype, count);
        feeds[input.name] = new ort.Tensor(input.dtype as 'float32', data as Float32Array, input.shape);
      }
      const results = await session.run(feeds);
      for (const [name, tensor] of Object.entries(results)) outputShapes[name] = [...tensor.dims];
      session.endProfiling();
      const file = readdirSync(workDir).filter((f) => f.startsWith('dryrun_') && f.endsWith('.json')).sort().pop();
      if (file !== undefined) nodes = parseProfile(join(workDir, file));
    } catch (error) {
      dryRunError = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    } finally {
      await session?.release().catch(() => undefined);
    }
  }
  const result: Optimized = { optimizedBytes, outputShapes, nodes, optimizeMs, dryRunMs: performance.now() - t1 };
  if (dryRunError !== undefined) result.dryRunError = dryRunError;
  return result;
}

/**
 * Messages between `compile()` and the compile worker thread (onnxruntime work happens there, never on the
 * caller's thread: session creation and runs are synchronous native calls in onnxruntime-node).
 */
import type { SerializedError } from '../errors.js';
import type { DType } from '../dtypes.js';
import type { ProfiledNode } from './report.js';

/** One input of the dry run: zeros of this dtype and shape. */
export interface DryRunInput {
  name: string;
  dtype: DType;
  shape: number[];
}

export interface OptimizeRequest {
  type: 'optimize';
  id: number;
  /** the model after the compile passes, encoded */
  modelBytes: Uint8Array;
  /** a private scratch folder for this job */
  workDir: string;
  /** for messages */
  source: string;
  /** onnxruntime graph optimization level to save the optimized model at */
  level: 'all' | 'extended' | 'basic' | 'disabled';
  /** zero inputs for the profiled dry run; `undefined` skips the dry run */
  dryRun: DryRunInput[] | undefined;
}

export interface OptimizeDone {
  type: 'done';
  id: number;
  optimizedBytes: Uint8Array;
  outputShapes: Record<string, number[]>;
  nodes: ProfiledNode[];
  optimizeMs: number;
  dryRunMs: number;
  dryRunError?: string;
}

export interface OptimizeFailed {
  type: 'failed';
  id: number;
  error: SerializedError;
}

export type FromOptimizer = OptimizeDone | OptimizeFailed;

/**
 * Messages between `compile()` (on the caller's thread) and the compile worker thread, which does every expensive
 * step: the passes, onnxruntime's optimization and dry run (synchronous native calls in onnxruntime-node), and
 * writing the program. The caller's event loop only pays for reading the model and checking its operators.
 */
import type { SerializedError } from '../errors.js';
import type { Int8Job } from './quant/compile-int8.js';
import type { CompileReport } from './report.js';

/** Everything the worker needs to build one program. Plain data (structured clone). */
export interface CompileJob {
  type: 'compile';
  id: number;
  /** the source model's bytes, as read */
  modelBytes: Uint8Array;
  /** the model path as the caller gave it (absolute), and its quoted form for messages */
  modelPath: string;
  source: string;
  modelSha256: string;
  /** the program folder to write */
  dir: string;
  /** the compile key, recorded in `compile.json` */
  key: string;
  symbols: Record<string, number>;
  /**
   * one graph per entry, named, each with its own symbol sizes on top of {@link symbols} (`specializations`);
   * absent: one graph named `'main'`
   */
  specializations?: Array<{ name: string; symbols: Record<string, number> }>;
  batchsize: number | undefined;
  convertToFp16: boolean;
  keepOriginalPrecision: string[];
  /** clip float16 constants to +-65504 instead of infinity */
  fp16Clip: boolean;
  /** the compute units the program is for (`compute_unit`): they choose the optimization level */
  computeUnits: string[];
  /**
   * onnxruntime's execution providers for the units this host has, in order, when `computeUnits` lists more than the
   * CPU: each graph is then loaded with them and the placement measured (the report's `placement`)
   */
  placementProviders?: string[];
  /** why the placement is not measured although `computeUnits` lists more than the CPU (no listed accelerator here) */
  placementUnmeasured?: string;
  /** the int8 pass's ranges and settings, when quantizing (`load_profile`, `convert_to_quantize`) */
  int8?: Int8Job;
  /** no-effect options, recorded in the report */
  ignored: Record<string, unknown>;
  /** compile options as recorded in the program's provenance */
  compileOptions: Record<string, unknown>;
  onnxruntimeVersion: string;
  /** this host's kernel features (recorded when the optimized graph is host-specific) */
  hostFeatures: string[];
  /** milliseconds the caller spent reading and checking, for the report */
  readMs: number;
  checkMs: number;
}

/** The worker built the program: its report. */
export interface CompileDone {
  type: 'done';
  id: number;
  report: CompileReport;
}

/** The worker could not build the program: the error, serialized (its code survives the thread boundary). */
export interface CompileFailed {
  type: 'failed';
  id: number;
  error: SerializedError;
}

/** Worker -> caller. */
export type FromCompileWorker = CompileDone | CompileFailed;

/**
 * `compile()`: an ONNX model in, a program out (the library form of `qaic-exec`).
 *
 * On the caller's thread: read the model, check its operators against the CPU provider's table (an unsupported
 * operator fails here, before any worker starts), fix symbolic dims, count operators and parameters. On the compile
 * worker thread (after the float16 pass when `convert_to_fp16` is set): onnxruntime's graph optimization at level 'all', saved once; a load check of the saved graph as
 * activations will load it; one profiled dry run with zero inputs for static output shapes and the MAC count. Then
 * the program container is written with the optimized graph, its session options and the report, plus
 * `options.yaml` and `compile.json` (the compile key) beside it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { QaicError } from '../errors.js';
import { decodeModel, encodeModel, modelIO, type ValueSpec } from '../onnx/model.js';
import type { ModelProto } from '../onnx/schema.js';
import { resolveOptions, type ResolvedOptions, type SessionOptions, type SessionOptionsCamel } from '../options.js';
import { onnxruntimeVersion, writeProgram } from '../program/index.js';
import type { GraphToStore } from '../program/types.js';
import { PROGRAM_FILE } from '../program/format.js';
import { COMPILE_RECORD_FILE, cacheDirFor, compileKey, readCompileRecord } from './cache.js';
import { fixDims } from './fix-dims.js';
import { convertToFp16, storeWeightsAsFloat16, type Fp16Report } from './fp16/index.js';
import { hasHostSpecificNodes, hostKernelFeatures } from './host-features.js';
import { ACTIVATION_LOAD_OPTIONS, COMPILE_OPTIMIZATION_LEVEL } from './load-options.js';
import { checkOperators } from './operators.js';
import { runOptimizer } from './optimizer.js';
import type { DryRunInput } from './optimize-protocol.js';
import { writeOptionsYaml } from './options-yaml.js';
import { countMacs, operatorCounts, parameterStats, type CompileReport } from './report.js';

/** What {@link compile} produced. */
export interface CompileResult {
  /** the program folder (`output_dir`, or the cache folder) */
  programDir: string;
  /** its `programqpc.bin` */
  programPath: string;
  /** the `options.yaml` written beside it */
  optionsPath: string;
  report: CompileReport;
  /** true when an existing program with the same compile key was reused (nothing was compiled) */
  cached: boolean;
  /** the compile key (see `cache.ts`) */
  key: string;
}

/** Extra controls of {@link compileResolved}. */
export interface CompileControls {
  /** compile even when the folder holds a program with the same key */
  force?: boolean;
}

let compiles = 0;

/** How many compiles (not cache hits) this process has run; tests use it to prove cache hits. */
export function compileCount(): number {
  return compiles;
}

/**
 * Compile an ONNX model into a program.
 *
 * Options are the Session's (snake_case or camelCase, `options_path` YAML included): `onnx_define_symbol`,
 * `batchsize`, `convert_to_fp16`, `output_dir` (default: a cache folder keyed by model content and compile
 * options, see `cache.ts`), plus the SDK's no-effect flags, which are recorded in the report. An unchanged model
 * compiled with unchanged options into the same folder is not compiled again.
 *
 * Python parity: `qaic.Session(model.onnx, output_dir=...)` compiles the same way and writes `options.yaml`.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND`, `QAIC_MODEL_INVALID`, `QAIC_INVALID_OPTION`,
 *   `QAIC_UNSUPPORTED_OPERATOR` (named operator, version and node), `QAIC_UNKNOWN_SYMBOL` (naming the model's
 *   symbols), `QAIC_COMPILE_FAILED`
 */
export async function compile(modelPath: string, options: SessionOptions | SessionOptionsCamel = {}): Promise<CompileResult> {
  return compileResolved(modelPath, resolveOptions(options));
}

/** {@link compile} with options already resolved (the Session's path). */
export async function compileResolved(modelPath: string, options: ResolvedOptions, controls: CompileControls = {}): Promise<CompileResult> {
  if (typeof modelPath !== 'string' || modelPath === '') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `compile() takes the path of an .onnx model, got ${String(modelPath)}`, { details: { argument: 'modelPath' } });
  }
  const t0 = performance.now();
  const source = `'${modelPath}'`;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot read model file ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error, details: { file: modelPath },
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ortVersion = onnxruntimeVersion();
  const host = hostKernelFeatures();
  const key = compileKey({
    modelSha256: sha256, symbols: options.onnx_define_symbol, batchsize: options.batchsize, convertToFp16: options.convert_to_fp16,
    keepOriginalPrecision: options.keep_original_precision_for_nodes, onnxruntimeVersion: ortVersion, hostFeatures: host,
  });
  const dir = options.output_dir ?? cacheDirFor(key, basename(modelPath, extname(modelPath)));
  const programPath = join(dir, PROGRAM_FILE);
  const record = readCompileRecord(dir);
  if (controls.force !== true && record?.key === key && existsSync(programPath)) {
    const optionsPath = writeOptionsYaml(dir, options);
    return { programDir: dir, programPath, optionsPath, report: record.report as CompileReport, cached: true, key };
  }

  const model = decodeModel(bytes, source);
  const readMs = performance.now() - t0;
  const t1 = performance.now();
  checkOperators(model, source);
  const fixed = fixDims(model, options.onnx_define_symbol, options.batchsize, source);
  const ops = operatorCounts(model.graph);
  const parameters = parameterStats(model);
  // Precision pass after the dims are fixed (its type inference sees static shapes) and before optimization (so
  // onnxruntime fuses the float16 graph).
  let compiled = model;
  let fp16: Fp16Report | undefined;
  if (options.convert_to_fp16) {
    const converted = convertToFp16(model, { keepOriginalPrecisionFor: options.keep_original_precision_for_nodes });
    compiled = converted.model;
    fp16 = converted.report;
  }
  const io = modelIO(compiled);
  const { dryRun, assumedOne } = dryRunInputs(io.inputs);
  const encoded = encodeModel(compiled);
  const passesMs = performance.now() - t1;

  const workDir = mkdtempSync(join(tmpdir(), 'qaic-compile-'));
  compiles++;
  try {
    const done = await runOptimizer({ modelBytes: encoded, workDir, source, level: COMPILE_OPTIMIZATION_LEVEL, dryRun });
    const decoded = decodeModel(done.optimizedBytes, `the optimized graph of ${source}`);
    // Constant folding turned the float16 pass's Cast(float16 weight) nodes back into float32 initializers: store
    // them as float16 again, losslessly (fp16/store-weights.ts), or the program keeps float32-sized weights.
    const optimized = fp16 === undefined ? decoded : storeWeightsAsFloat16(decoded).model;
    const optimizedOps = operatorCounts(optimized.graph);
    const hostFeatures = hasHostSpecificNodes(optimized) ? host : [];
    const outputs = io.outputs.map((spec) => withDryRunShape(spec, done.outputShapes[spec.name], assumedOne.length === 0));
    // Outputs the dry run measured are static now: write their dims into the stored graph and stop reporting them.
    fixOutputDims(optimized, outputs);
    const leftSymbolic = fixed.leftSymbolic.filter((l) => l.kind === 'input' || typeof outputs.find((o) => o.name === l.value)?.shape?.[l.axis] !== 'number');
    const t2 = performance.now();
    const report: CompileReport = {
      model: resolve(modelPath),
      modelSha256: sha256,
      onnxruntimeVersion: ortVersion,
      inputs: io.inputs,
      outputs,
      operators: ops.counts,
      optimizedOperators: optimizedOps.counts,
      nodes: ops.nodes,
      optimizedNodes: optimizedOps.nodes,
      parameters,
      macs: done.dryRunError === undefined && dryRun !== undefined
        ? countMacs(done.nodes, assumedOne)
        : { total: 0, byOperator: {}, counted: [], method: 'unavailable', assumedOne },
      fixed: fixed.fixed,
      batchFixedInputs: fixed.batchFixedInputs,
      leftSymbolic,
      ignored: { ...options.ignored },
      optimization: { level: COMPILE_OPTIMIZATION_LEVEL, loadWith: { ...ACTIVATION_LOAD_OPTIONS }, hostFeatures },
      timings: { readMs, passesMs, optimizeMs: done.optimizeMs, dryRunMs: done.dryRunMs, writeMs: 0, totalMs: 0 },
    };
    if (done.dryRunError !== undefined) report.dryRunError = done.dryRunError;
    if (fp16 !== undefined) report.fp16 = fp16;
    const graph: GraphToStore = {
      name: 'main',
      model: optimized,
      inputs: io.inputs,
      outputs,
      batchSize: batchSizeOf(io.inputs),
      sessionOptions: structuredClone(ACTIVATION_LOAD_OPTIONS) as Record<string, unknown>,
      hostFeatures,
    };
    mkdirSync(dir, { recursive: true });
    report.timings.writeMs = performance.now() - t2;
    report.timings.totalMs = performance.now() - t0;
    graph.report = report;
    await writeProgram(dir, [graph], {
      sources: [{ path: resolve(modelPath), sha256 }],
      compileOptions: compileOptionsRecord(options),
    });
    report.timings.writeMs = performance.now() - t2;
    report.timings.totalMs = performance.now() - t0;
    writeFileSync(join(dir, COMPILE_RECORD_FILE), `${JSON.stringify({ key, report }, null, 1)}\n`);
    const optionsPath = writeOptionsYaml(dir, options);
    return { programDir: dir, programPath, optionsPath, report, cached: false, key };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The compile options as recorded in the program's provenance. */
function compileOptionsRecord(options: ResolvedOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    onnx_define_symbol: { ...options.onnx_define_symbol },
    convert_to_fp16: options.convert_to_fp16,
    aic_num_cores: options.aic_num_cores,
    ignored: { ...options.ignored },
  };
  if (options.batchsize !== undefined) out.batchsize = options.batchsize;
  if (options.keep_original_precision_for_nodes.length > 0) out.keep_original_precision_for_nodes = [...options.keep_original_precision_for_nodes];
  return out;
}

/** Zero inputs for the dry run: symbolic dims left open are taken as 1 (and reported). */
function dryRunInputs(inputs: readonly ValueSpec[]): { dryRun: DryRunInput[] | undefined; assumedOne: string[] } {
  const assumed = new Set<string>();
  const out: DryRunInput[] = [];
  for (const spec of inputs) {
    if (spec.dtype === undefined || spec.shape === null) return { dryRun: undefined, assumedOne: [] };
    out.push({
      name: spec.name,
      dtype: spec.dtype,
      shape: spec.shape.map((d, axis) => {
        if (typeof d === 'number') return d;
        assumed.add(d ?? `${spec.name}[${axis}]`);
        return 1;
      }),
    });
  }
  return { dryRun: out, assumedOne: [...assumed] };
}

/** The declared output spec with its dims replaced by the dry run's, when every input dim was fixed. */
function withDryRunShape(spec: ValueSpec, dims: number[] | undefined, trusted: boolean): ValueSpec {
  if (!trusted || dims === undefined) return spec;
  if (spec.shape !== null && spec.shape.length !== dims.length) return spec;
  return { ...spec, shape: [...dims] };
}

/** Write measured output dims into a model's graph outputs (only where the model leaves them open). */
function fixOutputDims(model: ModelProto, outputs: readonly ValueSpec[]): void {
  for (const info of model.graph?.output ?? []) {
    const spec = outputs.find((o) => o.name === info.name);
    const dims = info.type?.tensor_type?.shape?.dim;
    if (spec?.shape == null || dims === undefined || dims.length !== spec.shape.length) continue;
    dims.forEach((d, axis) => {
      const value = spec.shape![axis];
      if (d.dim_value === undefined && typeof value === 'number') {
        d.dim_value = value;
        delete d.dim_param;
      }
    });
  }
}

function batchSizeOf(inputs: readonly ValueSpec[]): number {
  const first = inputs[0]?.shape?.[0];
  return typeof first === 'number' && first > 0 ? first : 1;
}

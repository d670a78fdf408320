/**
 * Building one program from a checked model (runs on the compile worker thread): fix dims, the float16 pass,
 * operator and parameter counts, onnxruntime optimization and dry run, the MAC count, and writing the program
 * container with `compile.json` beside it.
 */
import { constants as bufferConstants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { QaicError } from '../errors.js';
import { checkRegularFile, readRegularFileSync } from '../files.js';
import { decodeModel, encodeModel, modelIO, type ValueSpec } from '../onnx/model.js';
import type { ModelProto } from '../onnx/schema.js';
import { writeProgram } from '../program/write.js';
import type { GraphToStore } from '../program/types.js';
import { COMPILE_RECORD_FILE, type ExternalFile } from './cache.js';
import type { CompileJob } from './compile-protocol.js';
import { fixDims } from './fix-dims.js';
import { convertToFp16, storeWeightsAsFloat16, type Fp16Report } from './fp16/index.js';
import { hasHostSpecificNodes } from './host-features.js';
import { activationLoadOptions, compileOptimizationLevel } from './load-options.js';
import { loadOrt, optimize, type DryRunInput } from './optimize.js';
import { measurePlacement } from '../runtime/placement.js';
import { int8Kernels } from './quant/compile-int8.js';
import { quantizeGraph, type QdqReport } from './quant/qdq.js';
import { countMacs, operatorCounts, parameterStats, type CompileReport } from './report.js';

/** Largest external data file read whole: the largest Buffer this Node can hold. */
const MAX_EXTERNAL_BYTES = bufferConstants.MAX_LENGTH;

/**
 * Build and write the program of `job`: one graph, or one per specialization (each a full compile at its dims; the
 * writer stores every weight they have in common once). Returns the report (the first graph's, listing the
 * specializations). Throws QaicErrors (see `compile()`).
 */
export async function buildProgram(job: CompileJob): Promise<CompileReport> {
  const t0 = performance.now();
  const wanted = job.specializations ?? [{ name: 'main', symbols: {} }];
  const graphs: GraphToStore[] = [];
  const external: ExternalFile[] = [];
  for (const spec of wanted) {
    const built = await buildGraph(job, spec.name, { ...job.symbols, ...spec.symbols });
    graphs.push(built.graph);
    for (const f of built.external) if (!external.some((e) => e.path === f.path)) external.push(f);
  }
  const t1 = performance.now();
  const report = graphs[0]!.report as CompileReport;
  if (job.specializations !== undefined) {
    report.specializations = graphs.map((g, i) => ({ graph: g.name, symbols: { ...wanted[i]!.symbols }, inputs: g.inputs, outputs: g.outputs }));
  }
  mkdirSync(job.dir, { recursive: true });
  const written = await writeProgram(job.dir, graphs, { sources: [{ path: job.modelPath, sha256: job.modelSha256 }], compileOptions: job.compileOptions });
  report.timings.writeMs = performance.now() - t1;
  report.timings.totalMs = job.readMs + job.checkMs + (performance.now() - t0);
  // to a temporary name renamed over the old record: a symbolic link named compile.json is replaced, never written
  // through (into a file outside the program folder)
  const record = join(job.dir, `.${COMPILE_RECORD_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(record, `${JSON.stringify({ key: job.key, program: written.manifestSha256, external, report }, null, 1)}\n`, { flag: 'wx' });
  renameSync(record, join(job.dir, COMPILE_RECORD_FILE));
  return report;
}

/** Compile one graph of `job` with `symbols` fixed: passes, optimization, dry run and its report. */
async function buildGraph(job: CompileJob, name: string, symbols: Record<string, number>): Promise<{ graph: GraphToStore; external: ExternalFile[] }> {
  const t0 = performance.now();
  const model = decodeModel(job.modelBytes, job.source);
  const fixed = fixDims(model, symbols, job.batchsize, job.source);
  const ops = operatorCounts(model.graph);
  const parameters = parameterStats(model);
  // The precision passes run after the dims are fixed (the calibration saw those dims; type inference sees static
  // shapes) and before optimization (onnxruntime fuses the QDQ pairs into int8 kernels and the float16 graph).
  let compiled = model;
  // int8 first, on the float32 graph its ranges were calibrated on.
  let qdq: QdqReport | undefined;
  let int8Nodes: string[] = [];
  if (job.int8 !== undefined) {
    const q = job.int8;
    const quantized = quantizeGraph(compiled, {
      ranges: new Map(q.ranges.map(([name, min, max]) => [name, { min, max }])),
      activationSchema: q.activationSchema, constantSchema: q.constantSchema, channelwise: q.channelwise, rowwise: q.rowwise,
      biasPrecision: q.biasPrecision, keep: q.keep, keepOutputs: q.keepOutputs, keepStem: q.keepStem.map((k) => k.node), operators: q.operators,
      weightBits: q.weightRange.bits,
    });
    compiled = quantized.model;
    qdq = quantized.report;
    int8Nodes = quantized.int8Nodes;
  }
  // Then float16 for what stays float (with int8: the operators with no int8 kernel and the kept nodes). The Q/DQ
  // nodes and the quantized nodes between them stay float32: onnxruntime's QDQ fusions only match float32 groups.
  let fp16: Fp16Report | undefined;
  if (job.convertToFp16) {
    const converted = convertToFp16(compiled, { keepOriginalPrecisionFor: job.keepOriginalPrecision, clip: job.fp16Clip, int8Nodes });
    compiled = converted.model;
    fp16 = converted.report;
  }
  const io = modelIO(compiled);
  const { dryRun, assumedOne } = dryRunInputs(io.inputs);
  const encoded = encodeModel(compiled);
  const passesMs = performance.now() - t0;

  const workDir = mkdtempSync(join(tmpdir(), 'qaic-compile-'));
  try {
    const external = linkExternalData(compiled, dirname(job.modelPath), workDir, job.source);
    const level = compileOptimizationLevel(job.computeUnits);
    const loadWith = activationLoadOptions(fp16 !== undefined, job.int8 !== undefined, level !== 'all');
    const done = await optimize(encoded, workDir, job.source, level, dryRun);
    const decoded = decodeModel(done.optimizedBytes, `the optimized graph of ${job.source}`);
    inlineExternalData(decoded, workDir, job.source);
    // Constant folding turned the float16 pass's Cast(float16 weight) nodes back into float32 initializers: store
    // them as float16 again, losslessly (fp16/store-weights.ts), or the program keeps float32-sized weights.
    const optimized = fp16 === undefined ? decoded : storeWeightsAsFloat16(decoded, { keep: int8Parameters(decoded) }).model;
    const optimizedOps = operatorCounts(optimized.graph);
    const hostFeatures = hasHostSpecificNodes(optimized) ? job.hostFeatures : [];
    const outputs = io.outputs.map((spec) => withDryRunShape(spec, done.outputShapes[spec.name], assumedOne.length === 0));
    // Outputs the dry run measured are static now: write their dims into the stored graph and stop reporting them.
    fixOutputDims(optimized, outputs);
    const leftSymbolic = fixed.leftSymbolic.filter((l) => l.kind === 'input' || typeof outputs.find((o) => o.name === l.value)?.shape?.[l.axis] !== 'number');
    const report: CompileReport = {
      model: job.modelPath,
      modelSha256: job.modelSha256,
      onnxruntimeVersion: job.onnxruntimeVersion,
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
      ignored: { ...job.ignored },
      optimization: { level, loadWith, hostFeatures, computeUnits: [...job.computeUnits] },
      timings: { readMs: job.readMs, passesMs: job.checkMs + passesMs, optimizeMs: done.optimizeMs, dryRunMs: done.dryRunMs, writeMs: 0, totalMs: 0 },
    };
    if (done.dryRunError !== undefined) report.dryRunError = done.dryRunError;
    if (job.placementUnmeasured !== undefined) report.placementUnmeasured = job.placementUnmeasured;
    if (job.placementProviders !== undefined) {
      // Where onnxruntime puts each node of the graph as stored, loaded as activations load it with these providers:
      // its partitioner decides, one profiled inference on zeros reads the decision (runtime/placement.ts). A failure
      // here does not fail the compile (the program may be meant for another host); the report says why.
      const path = join(workDir, 'placement.onnx');
      writeFileSync(path, encodeModel(optimized));
      try {
        report.placement = await measurePlacement(await loadOrt(), path, { ...loadWith, intraOpNumThreads: 1, executionProviders: job.placementProviders });
      } catch (error) {
        report.placementUnmeasured = `measuring it failed: ${((error as Error)?.message ?? String(error)).split('\n')[0]}`;
      }
    }
    if (fp16 !== undefined) report.fp16 = fp16;
    if (qdq !== undefined && job.int8 !== undefined) {
      const unfused: Record<string, number> = {};
      for (const [name, count] of Object.entries(optimizedOps.counts)) {
        const op = name.slice(name.lastIndexOf(':') + 1);
        if (op === 'QuantizeLinear' || op === 'DequantizeLinear') unfused[op] = (unfused[op] ?? 0) + count;
      }
      report.quantization = {
        ...qdq,
        int8Kernels: int8Kernels(optimizedOps.counts),
        unfusedQdq: unfused,
        calibration: job.int8.calibration,
        ...(job.int8.calibration === 'Percentile' ? { percentile: job.int8.percentile } : {}),
        activationSchema: job.int8.activationSchema,
        constantSchema: job.int8.constantSchema,
        weightBits: job.int8.weightRange.bits,
        weightBitsReason: job.int8.weightRange.reason,
        profileSha256: job.int8.profileSha256,
        profile: job.int8.profileFrom,
        keptStem: job.int8.keepStem,
      };
    }
    const graph: GraphToStore = {
      name,
      model: optimized,
      inputs: io.inputs,
      outputs,
      batchSize: batchSizeOf(io.inputs),
      sessionOptions: loadWith,
      hostFeatures,
      report,
    };
    report.timings.totalMs = performance.now() - t0;
    return { graph, external };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * onnxruntime resolves external data relative to the model file, and the compile worker hands it a rewritten copy
 * in a scratch folder: put each external data file there too (the optimized graph's weights are read back inline by
 * {@link inlineExternalData}, and the program stores them in its own weight section).
 *
 * Returns the files with their size and mtime: the compile record keeps them so that a changed data file recompiles.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND` naming the missing data file; `QAIC_MODEL_INVALID` for a location that
 *   leaves the model's folder
 */
function linkExternalData(model: ModelProto, modelDir: string, workDir: string, source: string): ExternalFile[] {
  const files: ExternalFile[] = [];
  const locations = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.data_location !== 1) continue;
    const location = t.external_data?.find((e) => e.key === 'location')?.value;
    if (location !== undefined) locations.add(location);
  }
  for (const location of locations) {
    const clean = normalize(location);
    if (isAbsolute(clean) || clean.startsWith('..')) {
      throw new QaicError('QAIC_MODEL_INVALID', `${source} keeps weights in '${location}', outside the model's folder; onnxruntime only reads external data beside the model`, {
        details: { file: source, location },
      });
    }
    const target = join(modelDir, clean);
    if (!existsSync(target)) {
      throw new QaicError('QAIC_FILE_NOT_FOUND', `${source} keeps weights in '${location}', but '${target}' does not exist`, { details: { file: target } });
    }
    // a regular file only: a link to /dev/zero or a FIFO would be read without end when the weights are inlined
    checkRegularFile(target, { what: `external data file of ${source}`, maxBytes: MAX_EXTERNAL_BYTES });
    const stats = statSync(target);
    files.push({ path: target, size: stats.size, mtimeMs: stats.mtimeMs });
    mkdirSync(dirname(join(workDir, clean)), { recursive: true });
    // onnxruntime resolves symlinks and refuses data outside the model's folder: hard-link the real file (or copy
    // across devices)
    const real = realpathSync(target);
    try {
      linkSync(real, join(workDir, clean));
    } catch {
      copyFileSync(real, join(workDir, clean));
    }
  }
  return files;
}

/**
 * Read external data back into the initializers of the optimized graph (onnxruntime keeps the source's external
 * references when it saves), so the program writer can store the weights in the program itself.
 */
export function inlineExternalData(model: ModelProto, workDir: string, source: string): void {
  // every initializer points into the same file or two: read each once, not once per initializer
  const files = new Map<string, Buffer>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.data_location !== 1) continue;
    const entry = (k: string): string | undefined => t.external_data?.find((e) => e.key === k)?.value;
    const file = join(workDir, normalize(entry('location') ?? ''));
    const offset = Number(entry('offset') ?? 0);
    let bytes: Uint8Array;
    try {
      let all = files.get(file);
      if (all === undefined) files.set(file, (all = readRegularFileSync(file, { what: `external data file of ${source}`, maxBytes: MAX_EXTERNAL_BYTES })));
      const length = entry('length') === undefined ? all.byteLength - offset : Number(entry('length'));
      if (!(offset >= 0 && length >= 0 && offset + length <= all.byteLength)) throw new Error(`bytes ${offset}..${offset + length} are outside the ${all.byteLength}-byte file`);
      bytes = all.subarray(offset, offset + length);
    } catch (error) {
      throw new QaicError('QAIC_MODEL_INVALID', `${source}: the external data of initializer '${t.name ?? ''}' cannot be read: ${(error as Error).message}`, { cause: error, details: { file: source } });
    }
    t.raw_data = bytes;
    delete t.external_data;
    delete t.data_location;
  }
}

/**
 * Initializers read by the int8 part of an optimized graph (Q/DQ nodes and the fused int8 kernels): their scales
 * must stay float32 constants when the float parts' weights are stored as float16.
 */
function int8Parameters(model: ModelProto): Set<string> {
  const out = new Set<string>();
  for (const n of model.graph?.node ?? []) {
    if (!/^(QuantizeLinear|DequantizeLinear|QLinear|QGemm|MatMulInteger|ConvInteger|DynamicQuantize|QAttention)/.test(n.op_type ?? '')) continue;
    for (const x of n.input ?? []) if (x) out.add(x);
  }
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

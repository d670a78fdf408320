/**
 * Building one program from a checked model (runs on the compile worker thread): fix dims, the float16 pass,
 * operator and parameter counts, onnxruntime optimization and dry run, the MAC count, and writing the program
 * container with `compile.json` beside it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel, encodeModel, modelIO, type ValueSpec } from '../onnx/model.js';
import type { ModelProto } from '../onnx/schema.js';
import { writeProgram } from '../program/write.js';
import type { GraphToStore } from '../program/types.js';
import { COMPILE_RECORD_FILE } from './cache.js';
import type { CompileJob } from './compile-protocol.js';
import { fixDims } from './fix-dims.js';
import { convertToFp16, storeWeightsAsFloat16, type Fp16Report } from './fp16/index.js';
import { hasHostSpecificNodes } from './host-features.js';
import { ACTIVATION_LOAD_OPTIONS, COMPILE_OPTIMIZATION_LEVEL } from './load-options.js';
import { optimize, type DryRunInput } from './optimize.js';
import { countMacs, operatorCounts, parameterStats, type CompileReport } from './report.js';

/** Build and write the program of `job`; returns its report. Throws QaicErrors (see `compile()`). */
export async function buildProgram(job: CompileJob): Promise<CompileReport> {
  const t0 = performance.now();
  const model = decodeModel(job.modelBytes, job.source);
  const fixed = fixDims(model, job.symbols, job.batchsize, job.source);
  const ops = operatorCounts(model.graph);
  const parameters = parameterStats(model);
  // Precision pass after the dims are fixed (its type inference sees static shapes) and before optimization (so
  // onnxruntime fuses the float16 graph).
  let compiled = model;
  let fp16: Fp16Report | undefined;
  if (job.convertToFp16) {
    const converted = convertToFp16(model, { keepOriginalPrecisionFor: job.keepOriginalPrecision });
    compiled = converted.model;
    fp16 = converted.report;
  }
  const io = modelIO(compiled);
  const { dryRun, assumedOne } = dryRunInputs(io.inputs);
  const encoded = encodeModel(compiled);
  const passesMs = performance.now() - t0;

  const workDir = mkdtempSync(join(tmpdir(), 'qaic-compile-'));
  try {
    const done = await optimize(encoded, workDir, job.source, COMPILE_OPTIMIZATION_LEVEL, dryRun);
    const t1 = performance.now();
    const decoded = decodeModel(done.optimizedBytes, `the optimized graph of ${job.source}`);
    // Constant folding turned the float16 pass's Cast(float16 weight) nodes back into float32 initializers: store
    // them as float16 again, losslessly (fp16/store-weights.ts), or the program keeps float32-sized weights.
    const optimized = fp16 === undefined ? decoded : storeWeightsAsFloat16(decoded).model;
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
      optimization: { level: COMPILE_OPTIMIZATION_LEVEL, loadWith: structuredClone(ACTIVATION_LOAD_OPTIONS) as Record<string, unknown>, hostFeatures },
      timings: { readMs: job.readMs, passesMs: job.checkMs + passesMs, optimizeMs: done.optimizeMs, dryRunMs: done.dryRunMs, writeMs: 0, totalMs: 0 },
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
      report,
    };
    mkdirSync(job.dir, { recursive: true });
    await writeProgram(job.dir, [graph], { sources: [{ path: job.modelPath, sha256: job.modelSha256 }], compileOptions: job.compileOptions });
    report.timings.writeMs = performance.now() - t1;
    report.timings.totalMs = job.readMs + job.checkMs + (performance.now() - t0);
    writeFileSync(join(job.dir, COMPILE_RECORD_FILE), `${JSON.stringify({ key: job.key, report }, null, 1)}\n`);
    return report;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
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

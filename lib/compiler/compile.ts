/**
 * `compile()`: an ONNX model in, a program out (the library form of `qaic-exec`).
 *
 * On the caller's thread: read the model, decode it and check its operators against the CPU provider's table (an
 * unsupported operator fails here, before any worker starts) and its symbol definitions. On the compile worker thread
 * (`build-program.ts`): fix symbolic dims, the float16 pass when `convert_to_fp16` is set, operator and parameter
 * counts, onnxruntime's graph optimization at level 'all' saved once, a load check of the saved graph as activations
 * will load it, one profiled dry run with zero inputs for static output shapes and the MAC count, and the program
 * container with the optimized graph, its session options and the report, plus `compile.json` (the compile key).
 * `options.yaml` is written beside it last.
 */
import { createHash } from 'node:crypto';
import { readRegularFile } from '../files.js';
import { basename, extname, join, resolve } from 'node:path';
import { QaicError } from '../errors.js';
import { decodeModel } from '../onnx/model.js';
import { programOptions, resolveOptions, type ResolvedOptions, type SessionOptions, type SessionOptionsCamel } from '../options.js';
import { onnxruntimeVersion } from '../program/write.js';
import { PROGRAM_FILE } from '../program/format.js';
import { cacheDirFor, checkCacheHit, compileKey } from './cache.js';
import { runCompileJob } from './optimizer.js';
import { allSymbols, fixDims } from './fix-dims.js';
import { specializationNames } from '../specializations.js';
import type { ModelProto } from '../onnx/schema.js';
import { hostKernelFeatures } from './host-features.js';
import { checkOperators } from './operators.js';
import { writeOptionsYaml } from './options-yaml.js';
import { int8Job, int8Source, type Int8Job } from './quant/compile-int8.js';
import { int8WeightRange } from './quant/weight-range.js';
import type { CompileReport } from './report.js';
import type { CompileJob } from './compile-protocol.js';
import { availableComputeUnits, type ComputeUnit } from '../runtime/compute-units.js';
import { useShaderCache } from '../runtime/shader-cache.js';

/** What {@link compile} produced. */
export interface CompileResult {
  /** the program folder (`output_dir`, or the cache folder) */
  programDir: string;
  /** its `programqpc.bin` */
  programPath: string;
  /** the `options.yaml` written beside it */
  optionsPath: string;
  /** the compile report; for a cached program, the report of the compile that built it */
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

/** onnxruntime reads at most 2 GiB of protobuf; weights beyond it live in external data files. */
const MAX_MODEL_BYTES = 2 * 2 ** 30;

let compiles = 0;
/** Compiles under way in this process, by program folder: concurrent sessions of one model share one compile. */
const building = new Map<string, { key: string; promise: Promise<CompileReport> }>();

/** How many compiles (not cache hits) this process has run; tests use it to prove cache hits. */
export function compileCount(): number {
  return compiles;
}

/**
 * Compile an ONNX model into a program.
 *
 * Options are the Session's (snake_case or camelCase, `options_path` YAML included): `onnx_define_symbol`,
 * `batchsize`, `convert_to_fp16`, `output_dir` (default: a cache folder keyed by model content and compile
 * options, see `cache.ts`), the int8 options (`load_profile`, or `calibration_inputs` with `convert_to_quantize` or
 * `dump_profile`, and the schema/calibration settings; the report's `quantization` part says what was quantized and
 * which int8 kernels onnxruntime fused), plus the SDK's no-effect flags, which are recorded in the report. An
 * unchanged model compiled with unchanged options (and an unchanged profile) into the same folder is not compiled
 * again.
 *
 * Python parity: `qaic.Session(model.onnx, output_dir=...)` compiles the same way and writes `options.yaml`.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND`, `QAIC_MODEL_INVALID`, `QAIC_INVALID_OPTION`,
 *   `QAIC_UNSUPPORTED_OPERATOR` (named operator, version and node), `QAIC_UNKNOWN_SYMBOL` (naming the model's
 *   symbols), `QAIC_COMPILE_FAILED`; `QAIC_PROFILE_INVALID` / `QAIC_PROFILE_MISMATCH` for a `load_profile` that is
 *   malformed or not of this model at these dims; the input errors of `run()` for bad `calibration_inputs`
 */
export async function compile(modelPath: string, options: SessionOptions | SessionOptionsCamel = {}): Promise<CompileResult> {
  // Compiling uses none of the activations' cores: `aic_num_cores × num_activations` is checked when a Session
  // activates the program, not here (SDK recipes compile with -aic-num-cores=14 on any build machine).
  const raw = { ...(options as Record<string, unknown>) };
  const given = raw.allow_oversubscription ?? raw.allowOversubscription;
  delete raw.allowOversubscription;
  // a non-boolean stays in so that resolveOptions refuses it by name, as a Session would
  raw.allow_oversubscription = given === undefined || typeof given === 'boolean' ? true : given;
  const resolved = resolveOptions(raw as SessionOptions);
  return compileResolved(modelPath, { ...resolved, allow_oversubscription: given === true });
}

/** {@link compile} with options already resolved (the Session's path). */
export async function compileResolved(modelPath: string, options: ResolvedOptions, controls: CompileControls = {}): Promise<CompileResult> {
  if (typeof modelPath !== 'string' || modelPath === '') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `compile() takes the path of an .onnx model, got ${String(modelPath)}`, { details: { argument: 'modelPath' } });
  }
  const t0 = performance.now();
  const source = `'${modelPath}'`;
  // a regular file of bounded size only: a FIFO or a link to /dev/zero is refused at once
  const bytes: Uint8Array = await readRegularFile(modelPath, { what: 'model file', maxBytes: MAX_MODEL_BYTES });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ortVersion = onnxruntimeVersion();
  const host = hostKernelFeatures();
  // The profile (read, or recorded from calibration_inputs) before the key: its content is part of it.
  const int8 = await int8Source(modelPath, options);
  const key = compileKey({ modelSha256: sha256, options, onnxruntimeVersion: ortVersion, hostFeatures: host, ...(int8 === undefined ? {} : { profileSha256: int8.sha256 }), ...(int8?.nodePrecision === undefined ? {} : { nodePrecisionSha256: int8.nodePrecision.sha256 }), ...(int8 === undefined ? {} : { int8WeightBits: int8WeightRange().bits }) });
  const dir = options.output_dir ?? cacheDirFor(key, basename(modelPath, extname(modelPath)));
  const programPath = join(dir, PROGRAM_FILE);
  if (controls.force !== true && !building.has(dir)) {
    const found = await checkCacheHit(dir, key);
    if (found.hit) {
      const optionsPath = writeOptionsYaml(dir, options, { cached: true });
      return { programDir: dir, programPath, optionsPath, report: found.report as CompileReport, cached: true, key };
    }
    if (found.stale !== undefined) {
      process.emitWarning(`qaic: recompiling ${source} into '${dir}': the program there cannot be reused (${found.stale})`, { code: 'QAIC_CACHE_RECOMPILE', type: 'QaicWarning' });
    }
  }

  // before the in-flight check below: nothing may wait between that check and registering this compile
  const placement = await placementJob(options.compute_unit);
  // The same model with the same options is being compiled into this folder: share that compile (its caller already
  // decoded and checked these very bytes).
  const inFlight = building.get(dir);
  if (inFlight !== undefined && inFlight.key === key) {
    const report = await inFlight.promise;
    return { programDir: dir, programPath, optionsPath: writeOptionsYaml(dir, options, { cached: true }), report, cached: true, key };
  }

  // On this thread only what must fail fast and before any worker starts: decoding and the operator check (and the
  // symbol check, which is cheap). Everything else runs on the compile worker (see build-program.ts).
  const model = decodeModel(bytes, source);
  const readMs = performance.now() - t0;
  const t1 = performance.now();
  checkOperators(model, source);
  // every specialization's symbols must be the model's: refused here, before any graph is compiled
  const specializations = specializationJob(model, options, source);
  fixDims(model, options.onnx_define_symbol, options.batchsize, source);
  // A profile of another model, or one missing a quantized tensor, fails here, before any worker starts.
  const int8Settings: Int8Job | undefined = int8 === undefined ? undefined : int8Job(model, sha256, int8, options, source);
  const checkMs = performance.now() - t1;

  // Another compile with other options is writing this folder: let it finish first, so that programqpc.bin and
  // compile.json always come from the same build.
  if (inFlight !== undefined) await inFlight.promise.catch(() => undefined);
  compiles++;
  const promise = runCompileJob({
    modelBytes: bytes, modelPath: resolve(modelPath), source, modelSha256: sha256, dir, key,
    symbols: { ...options.onnx_define_symbol }, batchsize: options.batchsize, convertToFp16: options.convert_to_fp16, computeUnits: [...options.compute_unit],
    ...(specializations === undefined ? {} : { specializations }),
    keepOriginalPrecision: [...options.keep_original_precision_for_nodes], fp16Clip: options.fp16_clip, ignored: { ...options.ignored },
    ...(int8Settings === undefined ? {} : { int8: int8Settings }),
    compileOptions: compileOptionsRecord(options, int8Settings), onnxruntimeVersion: ortVersion, hostFeatures: host, readMs, checkMs,
    ...placement,
  }, options.isolation);
  building.set(dir, { key, promise });
  try {
    const report = await promise;
    return { programDir: dir, programPath, optionsPath: writeOptionsYaml(dir, options), report, cached: false, key };
  } finally {
    if (building.get(dir)?.promise === promise) building.delete(dir);
  }
}

/**
 * How the compile measures the placement of a program for `units` (see `CompileReport.placement`): nothing for the
 * CPU alone; else the providers of the listed units this host has, in order. Compiling needs no accelerator (a
 * program may be built for another host), so a host without any listed accelerator compiles, and the report says why
 * the placement is missing.
 */
async function placementJob(units: readonly ComputeUnit[]): Promise<Pick<CompileJob, 'placementProviders' | 'placementUnmeasured'>> {
  if (units.every((u) => u === 'cpu')) return {};
  const found = await availableComputeUnits();
  const accelerators = units.filter((u) => u !== 'cpu');
  if (!accelerators.some((u) => found.status[u].available)) {
    return { placementUnmeasured: `no listed accelerator is available on this host (${accelerators.map((u) => `${u}: ${found.status[u].reason ?? 'not available'}`).join('; ')})` };
  }
  // measuring runs the graph on the GPU, compiling its shaders: cache them as the session's activations would
  if (found.status.gpu.available && units.includes('gpu')) useShaderCache();
  return { placementProviders: units.filter((u) => found.status[u].available).map((u) => found.status[u].provider!) };
}

/**
 * The compile options as recorded in the program's provenance: the options that change the program (from the option
 * table, as the compile key sees them; symbols as a `{name: size}` map), plus the no-effect flags that were given.
 */
function compileOptionsRecord(options: ResolvedOptions, int8: Int8Job | undefined): Record<string, unknown> {
  const out = programOptions(options);
  if (options.load_profile !== undefined) out.load_profile = options.load_profile;
  if (int8 !== undefined) out.profile_sha256 = int8.profileSha256;
  out.onnx_define_symbol = { ...options.onnx_define_symbol };
  out.ignored = { ...options.ignored };
  return out;
}

/**
 * The graphs to compile for `specializations` (named by {@link specializationNames}), after checking that every
 * symbol they size is one of the model's; undefined without specializations.
 *
 * @throws QaicError `QAIC_UNKNOWN_SYMBOL` naming the specialization, the symbol and the model's symbols
 */
function specializationJob(model: ModelProto, options: ResolvedOptions, source: string): Array<{ name: string; symbols: Record<string, number> }> | undefined {
  const specs = options.specializations;
  if (specs === undefined) return undefined;
  const option = options.network_specialization_config !== undefined ? 'network_specialization_config' : 'specializations';
  const known = allSymbols(model);
  for (const [i, spec] of specs.entries()) {
    for (const symbol of Object.keys(spec)) {
      if (known.includes(symbol)) continue;
      throw new QaicError('QAIC_UNKNOWN_SYMBOL',
        `${option} entry ${i} sizes '${symbol}', but ${source} has ${known.length === 0 ? 'no symbolic dimensions' : `the symbols ${known.map((k) => `'${k}'`).join(', ')}`}`,
        { details: { option, index: i, symbol, modelSymbols: known, file: source } });
    }
  }
  const names = specializationNames(specs);
  return specs.map((spec, i) => ({ name: names[i]!, symbols: { ...spec } }));
}

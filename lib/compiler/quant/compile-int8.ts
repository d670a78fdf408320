/**
 * The caller-thread half of compiling int8: where the profile comes from (`load_profile`, or calibrating
 * `calibration_inputs` for `convert_to_quantize` / `dump_profile`), its content hash for the compile key, the check
 * that it belongs to the model being compiled, and the calibrated ranges the compile worker's int8 pass uses (plain
 * data, so that they cross the thread boundary in the compile job).
 */
import { createHash } from 'node:crypto';
import { load as loadYaml } from 'js-yaml';
import { QaicError, describeValue } from '../../errors.js';
import { readRegularTextFileSync } from '../../files.js';
import type { ModelProto } from '../../onnx/schema.js';
import { KEEP_STEM_PER_NODES, type ResolvedOptions } from '../../options.js';
import { calibrate, calibrationTensors } from './calibrate.js';
import { checkProfileMatches, readProfile, serializeProfile, type QuantizationProfile } from './profile.js';
import { calibratedRange } from './ranges.js';
import { estimateNodeErrors, stemNodes, type NodeErrorEstimate } from './keep-stem.js';
import { quantizeGraph } from './qdq.js';
import type { QuantizationSchema } from './params.js';
import { int8WeightRange, type WeightRange } from './weight-range.js';

/**
 * Operators the int8 pass quantizes by default: those with weights that onnxruntime's CPU provider fuses into int8
 * kernels. Quantizing Add/Mul/Concat activations too cost PP-OCRv4 det most of its accuracy (thresholded-map IoU
 * 0.61 against 0.96 with weighted operators only), while the speed comes from the int8 convolutions and matrix
 * products. ConvTranspose is left out: onnxruntime 1.30 has no int8 ConvTranspose fusion on the CPU, so det's two
 * ConvTranspose nodes ran in float anyway, behind a DequantizeLinear of their weights on every run.
 */
export const DEFAULT_INT8_OPERATORS: readonly string[] = ['Conv', 'MatMul', 'Gemm'];

/** The profile a compile quantizes with, and its content hash (the compile key's part). */
export interface Int8Source {
  profile: QuantizationProfile;
  /** SHA-256 of the profile's canonical JSON: what the compile key holds (not the file's path) */
  sha256: string;
  /** where it came from: the `load_profile` path, or 'calibration_inputs' */
  from: string;
  /** `node_precision_info_file`, read: the output names of the nodes kept out of int8, and the file's SHA-256 (key) */
  nodePrecision?: NodePrecisionInfo;
}

/** A node-precision-info file, read. */
export interface NodePrecisionInfo {
  /** its path */
  file: string;
  /** `FP16NodeInstanceNames`: the first output name of each node to keep out of int8 */
  outputs: string[];
  /** SHA-256 of the file's bytes (the compile key's part) */
  sha256: string;
}

/** The largest node-precision-info file read: 16 MiB. */
const MAX_NODE_PRECISION_BYTES = 16 * 2 ** 20;

/**
 * Read the SDK's node-precision-info YAML (`FP16NodeInstanceNames: [<first output name>, ...]`), as untrusted input.
 * @throws QaicError `QAIC_FILE_NOT_FOUND` / `QAIC_FILE_INVALID` (not a regular file, too large, not YAML, or without
 *   a `FP16NodeInstanceNames` list of names)
 */
export function readNodePrecisionInfo(file: string): NodePrecisionInfo {
  const text = readRegularTextFileSync(file, { what: 'node precision info file (node_precision_info_file)', maxBytes: MAX_NODE_PRECISION_BYTES });
  const invalid = (what: string) => new QaicError('QAIC_FILE_INVALID', `node_precision_info_file '${file}': ${what}`, { details: { option: 'node_precision_info_file', file } });
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (error) {
    throw invalid(`not YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const list = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>)['FP16NodeInstanceNames'] : undefined;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x !== '')) {
    throw invalid(`expected a YAML mapping whose key FP16NodeInstanceNames lists node output names, got ${describeValue(list ?? doc)}`);
  }
  return { file, outputs: [...new Set(list as string[])], sha256: createHash('sha256').update(text).digest('hex') };
}

/** The int8 settings the compile worker needs (plain data). */
export interface Int8Job {
  /** calibrated range of each activation: [name, min, max] */
  ranges: Array<[string, number, number]>;
  activationSchema: QuantizationSchema;
  constantSchema: QuantizationSchema;
  channelwise: boolean;
  rowwise: boolean;
  biasPrecision: 'Int8' | 'Int32';
  /** the weights' integer range on this host (see `weight-range.ts`): part of the compile key */
  weightRange: WeightRange;
  keep: string[];
  /** first output names of nodes kept out of int8 (`node_precision_info_file`) */
  keepOutputs: string[];
  /**
   * the nodes `keep_stem_nodes` keeps in float: the first quantized ones in graph order, each with its estimated own
   * error (their names go to the pass)
   */
  keepStem: NodeErrorEstimate[];
  operators: string[];
  /** recorded in the report */
  calibration: string;
  percentile: number;
  profileSha256: string;
  profileFrom: string;
}

/** SHA-256 of a profile's canonical JSON. */
export function profileSha256(profile: QuantizationProfile): string {
  return createHash('sha256').update(serializeProfile(profile)).digest('hex');
}

/**
 * Read or record the profile a compile needs, before its key is computed: `load_profile` is read (and its content
 * hashed); `calibration_inputs` are calibrated (and written to `dump_profile` when given). Returns the profile to
 * quantize with, or `undefined` when the compile stays float32 (no profile, or `dump_profile` alone).
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND`, `QAIC_FILE_INVALID`, `QAIC_PROFILE_INVALID` (load_profile);
 *   `QAIC_INVALID_ARGUMENT` (no calibration inputs), the input errors of `run()` (calibration inputs of the wrong
 *   shape or type)
 */
export async function int8Source(modelPath: string, options: ResolvedOptions): Promise<Int8Source | undefined> {
  const nodePrecision = options.node_precision_info_file === undefined ? {} : { nodePrecision: readNodePrecisionInfo(options.node_precision_info_file) };
  if (options.load_profile !== undefined) {
    const profile = readProfile(options.load_profile);
    return { profile, sha256: profileSha256(profile), from: options.load_profile, ...nodePrecision };
  }
  if (options.calibration_inputs === undefined) return undefined;
  const profile = await calibrate(modelPath, options.calibration_inputs, {
    onnx_define_symbol: options.onnx_define_symbol,
    ...(options.batchsize === undefined ? {} : { batchsize: options.batchsize }),
    num_histogram_bins: options.num_histogram_bins,
    num_activations: options.num_activations,
    isolation: options.isolation,
    ...(options.dump_profile === undefined ? {} : { dump_profile: options.dump_profile }),
  });
  return options.convert_to_quantize ? { profile, sha256: profileSha256(profile), from: 'calibration_inputs', ...nodePrecision } : undefined;
}

/**
 * Check `source`'s profile against the model (dims fixed) and compute the calibrated ranges.
 * @throws QaicError `QAIC_PROFILE_MISMATCH` for a profile of another model, of other dims or batch size, or missing a tensor that
 *   a quantized node reads or writes
 */
export function int8Job(model: ModelProto, modelSha256: string, source: Int8Source, options: ResolvedOptions, modelSource: string): Int8Job {
  const graph = model.graph ?? {};
  const operators = new Set(DEFAULT_INT8_OPERATORS);
  const keep = new Set(options.keep_original_precision_for_nodes);
  const keepOutputs = new Set(source.nodePrecision?.outputs ?? []);
  if (source.nodePrecision !== undefined) {
    const written = new Set((graph.node ?? []).map((n) => n.output?.[0]));
    const missing = [...keepOutputs].filter((o) => !written.has(o));
    if (missing.length > 0) {
      throw new QaicError('QAIC_INVALID_OPTION', `node_precision_info_file '${source.nodePrecision.file}' names ${missing.length} output(s) that no node of ${modelSource} writes first: ${missing.slice(0, 8).map((m) => `'${m}'`).join(', ')}${missing.length > 8 ? ', ...' : ''}`, {
        details: { option: 'node_precision_info_file', file: source.nodePrecision.file, missing },
      });
    }
  }
  const activations = calibrationTensors(model);
  const isActivation = new Set(activations);
  const needed = new Set<string>();
  for (const n of graph.node ?? []) {
    if (!operators.has(n.op_type ?? '') || keep.has(n.op_type ?? '') || (n.name !== undefined && keep.has(n.name)) || keepOutputs.has(n.output?.[0] ?? '')) continue;
    for (const x of [...(n.input ?? []), ...(n.output ?? [])]) if (isActivation.has(x)) needed.add(x);
  }
  const where = source.from === 'calibration_inputs' ? 'from calibration_inputs' : `'${source.from}'`;
  checkProfileMatches(source.profile, `${where} (for ${modelSource})`, modelSha256, options.onnx_define_symbol, needed);
  const batchsize = options.batchsize ?? null;
  if (source.profile.model.batchsize !== batchsize) {
    throw new QaicError('QAIC_PROFILE_MISMATCH', `quantization profile ${where} was recorded with batchsize ${source.profile.model.batchsize ?? 'unset'}, and ${modelSource} is compiled with batchsize ${batchsize ?? 'unset'}: profile at the dims you compile at`, {
      details: { file: source.from, option: 'batchsize', profile: source.profile.model.batchsize, given: batchsize },
    });
  }
  const ranges: Array<[string, number, number]> = [];
  for (const name of activations) {
    const h = source.profile.tensors.get(name);
    // a tensor that saw no finite value has no range: the int8 pass keeps its nodes in float32 (reported)
    if (h === undefined || !(h.min <= h.max)) continue;
    const r = calibratedRange(h, options.quantization_calibration, { percentile: options.percentile_calibration_value });
    ranges.push([name, r.min, r.max]);
  }
  // keep_stem_nodes: the first quantized nodes stay float (by default one per KEEP_STEM_PER_NODES the pass would
  // quantize: what the measurements show hurts accuracy most), each reported with the own error the profile predicts
  // for it. The count and the estimate read the int8 pass's own output (its folds done, its weight scales chosen):
  // the pass runs once here for that, and again in the compile worker with these nodes kept.
  const weightRange = int8WeightRange();
  let keepStem: NodeErrorEstimate[] = [];
  if (options.keep_stem_nodes !== 0) {
    const rangeMap = new Map(ranges.map(([name, min, max]) => [name, { min, max }]));
    const trial = quantizeGraph(model, {
      ranges: rangeMap, activationSchema: options.quantization_schema_activations, constantSchema: options.quantization_schema_constants,
      channelwise: options.enable_channelwise, rowwise: options.enable_rowwise, biasPrecision: options.quantization_precision_bias,
      keep: [...keep], keepOutputs: [...keepOutputs], operators: [...operators], weightBits: weightRange.bits,
    });
    const count = options.keep_stem_nodes ?? defaultKeepStem(trial.report.quantizedNodes);
    if (count > 0) keepStem = stemNodes(estimateNodeErrors(trial.model, { histograms: source.profile.tensors, ranges: rangeMap, quantized: new Set(trial.int8Nodes) }), count);
  }
  return {
    ranges,
    activationSchema: options.quantization_schema_activations,
    constantSchema: options.quantization_schema_constants,
    channelwise: options.enable_channelwise,
    rowwise: options.enable_rowwise,
    biasPrecision: options.quantization_precision_bias,
    weightRange,
    keep: [...options.keep_original_precision_for_nodes],
    keepOutputs: [...keepOutputs],
    keepStem,
    operators: [...operators],
    calibration: options.quantization_calibration,
    percentile: options.percentile_calibration_value,
    profileSha256: source.sha256,
    profileFrom: source.from,
  };
}

/**
 * The default `keep_stem_nodes` count for a model whose int8 pass would quantize these nodes (by operator type):
 * one per {@link KEEP_STEM_PER_NODES}, rounded down (PP-OCRv4 det 62 -> 4, rec 51 -> 3, cls 3; under 15 -> none).
 */
export function defaultKeepStem(quantizedNodes: Readonly<Record<string, number>>): number {
  const quantized = Object.values(quantizedNodes).reduce((a, b) => a + b, 0);
  return Math.floor(quantized / KEEP_STEM_PER_NODES);
}

/**
 * Operators of onnxruntime's optimized graph that run on 8-bit data (its fused QDQ kernels), by type without the
 * domain (the report's operator counts spell them `com.microsoft::QLinearConv`).
 */
export function int8Kernels(optimizedOperators: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, count] of Object.entries(optimizedOperators)) {
    const op = name.slice(name.lastIndexOf(':') + 1);
    if (/^(QLinear|MatMulInteger|ConvInteger|DynamicQuantize|QGemm|QAttention)/.test(op)) out[op] = (out[op] ?? 0) + count;
  }
  return out;
}

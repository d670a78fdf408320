/**
 * The int8 accuracy report: run a model in float32 and as its int8 program on evaluation inputs (not the
 * calibration inputs) and measure, per output, how far int8 moved it, plus which quantized nodes lose the most.
 *
 * Two sessions run each evaluation input set:
 * - the int8 program, compiled exactly as `compile()` compiles it (into a temporary folder), so the numbers are
 *   those of the fused int8 kernels the user deploys;
 * - a *probe* model: the float32 model (dims fixed) plus, for every quantized node, a copy of that node in QDQ form
 *   fed from the float32 tensors (its input quantized with the program's scale and zero point, its int8 weights,
 *   its output quantized as in the program). Comparing each copy with the float32 node gives the error that node
 *   adds by itself, not the error it inherits from the nodes before it: the ranking a user needs to choose what to
 *   keep in float (`keep_original_precision_for_nodes`). onnxruntime's `qdq_loss_debug` compares whole models
 *   instead, where every deep tensor looks bad.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QaicError, describeValue } from '../../errors.js';
import { dtypeFromOnnx, type DType, type TensorData } from '../../dtypes.js';
import { encodeModel, makeTensorProto, modelIO, readModelFile } from '../../onnx/model.js';
import { AttributeType, OnnxDataType, type GraphProto, type ModelProto, type NodeProto } from '../../onnx/schema.js';
import { resolveOptions, type SessionOptions } from '../../options.js';
import type { Inputs, OutputTensor } from '../../tensor.js';
import { fixDims } from '../fix-dims.js';
import { float16ToFloat32Array } from '../fp16/half.js';
import { prng, randomData, resolveDims, type RandomInputCaller } from '../fp16/accuracy.js';
import { inputSetDigest } from './calibrate.js';
import { int8Job, int8Source } from './compile-int8.js';
import { writeProfile } from './profile.js';
import type { ScaledTensor } from './fold-swish-scale.js';
import { raiseToOpset10 } from './opset10.js';
import { quantizeGraph } from './qdq.js';

/** Settings of {@link int8Accuracy}. */
export interface Int8AccuracyOptions {
  /**
   * Evaluation input sets (an iterable or async iterable of input dicts, as `run()` takes them). They must not be
   * calibration inputs: a set whose values equal one the profile recorded is refused. Default: `randomInputs` seeded
   * random sets (uniform in [-1, 1)), which say little about a real model's accuracy (the report says so).
   */
  inputs?: Iterable<Inputs> | AsyncIterable<Inputs>;
  /** how many random sets to draw when `inputs` is absent. Default 2. */
  randomInputs?: number;
  /** seed of the random sets. Default 0. */
  seed?: number;
  /** threshold of the map IoU: a map pixel is "on" where its value is above it. Default 0.3 (PP-OCR's DB threshold). */
  mapThreshold?: number;
  /** how many nodes the `worstNodes` list holds. Default 10. */
  worstNodes?: number;
}

/**
 * How far one output moved in int8. Outputs that are not float (int64, bool, ...: an ArgMax, a comparison) are
 * compared exactly: `mismatches` counts the elements int8 changed, the errors are taken over their values as numbers
 * (bool as 0/1; strings count in `mismatches` only), and the float-only measures (agreements, map IoU) are absent.
 */
export interface Int8OutputAccuracy {
  /** output name */
  name: string;
  /** its dims (one evaluation set) */
  dims: number[];
  /**
   * max |int8 - float32| over all elements of all sets. Like every measure here, over the pairs whose float32 value
   * is finite (an inf/NaN in float32 has nothing to measure against) and whose int8 value is finite (see `nonFinite`)
   */
  maxAbsError: number;
  /** ||int8 - float32||_2 / ||float32||_2 over all sets (the absolute L2 error where float32 is all zeros) */
  relativeL2Error: number;
  /** elements, over all sets, that are finite in float32 but inf/NaN in int8 (left out of the errors, as in fp16Accuracy) */
  nonFinite: number;
  /** outputs that are not float: elements, over all sets, whose int8 value is not exactly the float32 model's */
  mismatches?: number;
  /** [N, C] float outputs (C > 1): the fraction of rows whose arg-max class agrees */
  top1Agreement?: number;
  /** [N, T, C] float outputs (C > 1): the fraction of (n, t) positions whose arg-max over C agrees (a recognizer's per-timestep characters) */
  argmaxAgreement?: number;
  /**
   * Map outputs (rank 4, every float32 value in [0, 1], such as a detector's probability map): intersection over
   * union of the pixels above `mapThreshold` in float32 and in int8, over all sets (1 when neither has any)
   */
  mapIoU?: number;
}

/** The error one quantized node adds by itself (see the module note). */
export interface Int8NodeError {
  /** the node's name in the model: what `keep_original_precision_for_nodes` takes */
  node: string;
  /** its operator type */
  op: string;
  /** the tensor it writes */
  tensor: string;
  /**
   * ||node in QDQ form - node in float32||_2 / ||node in float32||_2, both fed the float32 inputs, over the sets where
   * both sums are finite (one NaN in a set's float32 tensor makes its sums NaN)
   */
  relativeL2Error: number;
}

/** The accuracy report of an int8 compile. */
export interface Int8AccuracyReport {
  /** where the evaluation inputs came from */
  inputs: 'given' | 'random';
  /** the seed of random inputs ({@link Int8AccuracyOptions.seed}) */
  seed: number;
  /** evaluation input sets run */
  evaluationInputs: number;
  /** the map IoU threshold used */
  mapThreshold: number;
  /** one entry per model output, in the model's order */
  outputs: Int8OutputAccuracy[];
  /** the quantized nodes, largest own error first, at most {@link Int8AccuracyOptions.worstNodes} */
  worstNodes: Int8NodeError[];
  /** quantized nodes the probe measured (all that write a tensor the float32 model has) */
  nodesMeasured: number;
  /**
   * the nodes `keep_stem_nodes` kept in float in the program measured (by default the stem: one per 15 quantized
   * nodes), in graph order; not measured, as they are not quantized
   */
  keptStem: string[];
}

/** What the random-input errors name: int8Accuracy's dims come from the compile options' `onnx_define_symbol`. */
const INT8_ACCURACY: RandomInputCaller = {
  name: 'int8Accuracy',
  symbols: (symbol) => `compileOptions.onnx_define_symbol (e.g. { ${symbol}: 1 })`,
  inputs: () => 'options.inputs (evaluation input sets)',
};

function fail(message: string, details?: Record<string, unknown>): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', `int8Accuracy: ${message}`, details === undefined ? undefined : { details });
}

/** One probed node: its name, type and output, and the probe model's outputs of its squared error and norm. */
export interface Probe {
  node: string;
  op: string;
  tensor: string;
  /** scalar output: sum over the tensor of (node in QDQ form - node in float32)^2 */
  diff2: string;
  /** scalar output: sum over the tensor of (node in float32)^2 */
  ref2: string;
}

/**
 * The probe model: `float` (dims fixed) plus a QDQ copy of every quantized node of `qdq`, fed from the float32
 * tensors, and the sums of its squared error. Returns the model and the probes. `source` names the model in errors.
 * @throws QaicError `QAIC_INTERNAL` when a Q/DQ parameter of `qdq` is neither one of its initializers nor a tensor
 *   of `float` (the int8 pass writes them as initializers, so this is a bug)
 */
export function probeModel(float: ModelProto, qdq: ModelProto, quantized: (node: NodeProto) => boolean, source = 'the model', scaledTensors: readonly ScaledTensor[] = []): { model: ModelProto; probes: Probe[] } {
  const scaledBy = new Map(scaledTensors.map((s) => [s.tensor, s]));
  const out: ModelProto = structuredClone(float);
  const graph: GraphProto = out.graph!;
  const q = qdq.graph!;
  const producer = new Map<string, NodeProto>();
  for (const n of q.node ?? []) for (const y of n.output ?? []) if (y) producer.set(y, n);
  const quantizeOf = new Map<string, NodeProto>();
  for (const n of q.node ?? []) if (n.op_type === 'QuantizeLinear' && n.input?.[0]) quantizeOf.set(n.input[0], n);
  const qInitializers = new Map((q.initializer ?? []).map((t) => [t.name ?? '', t]));
  const floatNames = new Set<string>();
  for (const i of graph.input ?? []) if (i.name) floatNames.add(i.name);
  for (const t of graph.initializer ?? []) if (t.name) floatNames.add(t.name);
  for (const n of graph.node ?? []) for (const y of n.output ?? []) if (y) floatNames.add(y);
  const added = new Set<string>();
  const addInitializer = (name: string, node: NodeProto) => {
    if (added.has(name) || floatNames.has(name)) return;
    const t = qInitializers.get(name);
    if (t === undefined) {
      throw new QaicError('QAIC_INTERNAL', `int8Accuracy: the quantized graph of ${source} has no initializer '${name}', which the QDQ copy of node '${node.name ?? ''}' (${node.op_type ?? ''}) needs; the int8 pass writes every scale and zero point as an initializer, so this is a bug in qaic: please report it`, {
        details: { initializer: name, node: node.name, operator: node.op_type },
      });
    }
    added.add(name);
    graph.initializer = [...(graph.initializer ?? []), t];
  };
  const nodes: NodeProto[] = [];
  const outputs: string[] = [];
  const probes: Probe[] = [];
  let k = 0;
  for (const n of q.node ?? []) {
    const op = n.op_type ?? '';
    if (op === 'QuantizeLinear' || op === 'DequantizeLinear' || !quantized(n)) continue;
    if (!(n.input ?? []).some((x) => producer.get(x)?.op_type === 'DequantizeLinear')) continue;
    const y = n.output?.[0];
    // a Conv output the int8 pass scaled is compared with its float32 tensor times the same factor
    const scaled = y === undefined ? undefined : scaledBy.get(y);
    if (!y || !(floatNames.has(y) || (scaled !== undefined && floatNames.has(scaled.source))) || (n.output ?? []).length !== 1) continue;
    const tag = `__int8_probe_${k}`;
    const local: NodeProto[] = [];
    let ok = true;
    const inputs = (n.input ?? []).map((x, j) => {
      if (!x) return x;
      const d = producer.get(x);
      if (d?.op_type === 'DequantizeLinear') {
        const src = d.input?.[0] ?? '';
        const qn = producer.get(src);
        if (qn?.op_type === 'QuantizeLinear') {
          const t = qn.input?.[0] ?? '';
          if (!floatNames.has(t)) { ok = false; return x; }
          for (const p of [...(qn.input ?? []).slice(1), ...(d.input ?? []).slice(1)]) if (p) addInitializer(p, n);
          local.push({ ...qn, name: `${qn.name ?? 'q'}${tag}_${j}`, input: [t, ...(qn.input ?? []).slice(1)], output: [`${src}${tag}_${j}`] });
          local.push({ ...d, name: `${d.name ?? 'dq'}${tag}_${j}`, input: [`${src}${tag}_${j}`, ...(d.input ?? []).slice(1)], output: [`${x}${tag}_${j}`] });
          return `${x}${tag}_${j}`;
        }
        // a constant (weight or bias) in int8/int32
        for (const p of d.input ?? []) if (p) addInitializer(p, n);
        local.push({ ...d, name: `${d.name ?? 'dq'}${tag}_${j}`, output: [`${x}${tag}_${j}`] });
        return `${x}${tag}_${j}`;
      }
      if (floatNames.has(x)) return x;
      if (qInitializers.has(x)) { addInitializer(x, n); return x; }
      ok = false;
      return x;
    });
    if (!ok) continue;
    const raw = `${y}${tag}`;
    local.push({ ...n, name: `${n.name ?? op}${tag}`, input: inputs, output: [raw] });
    let probe = raw;
    const qy = quantizeOf.get(y);
    const dy = qy === undefined ? undefined : (q.node ?? []).find((m) => m.op_type === 'DequantizeLinear' && m.input?.[0] === qy.output?.[0]);
    if (qy !== undefined && dy !== undefined) {
      for (const p of [...(qy.input ?? []).slice(1), ...(dy.input ?? []).slice(1)]) if (p) addInitializer(p, n);
      local.push({ ...qy, name: `${qy.name ?? 'q'}${tag}_out`, input: [raw, ...(qy.input ?? []).slice(1)], output: [`${raw}_q`] });
      local.push({ ...dy, name: `${dy.name ?? 'dq'}${tag}_out`, input: [`${raw}_q`, ...(dy.input ?? []).slice(1)], output: [`${raw}_dq`] });
      probe = `${raw}_dq`;
    }
    let reference = y;
    if (scaled !== undefined) {
      graph.initializer = [...(graph.initializer ?? []), makeTensorProto(`${raw}_scale`, 'float32', [], Float32Array.of(scaled.scale))];
      local.push({ op_type: 'Mul', domain: '', name: `${raw}_ref_node`, input: [scaled.source, `${raw}_scale`], output: [`${raw}_ref`] });
      reference = `${raw}_ref`;
    }
    // The sums the error needs are computed in the graph, so only two scalars per node leave it, not two tensors.
    local.push({ op_type: 'Sub', domain: '', name: `${raw}_diff_node`, input: [probe, reference], output: [`${raw}_diff`] });
    local.push({ op_type: 'ReduceSumSquare', domain: '', name: `${raw}_d2_node`, input: [`${raw}_diff`], output: [`${raw}_d2`], attribute: [{ name: 'keepdims', type: AttributeType.INT, i: 0 }] });
    local.push({ op_type: 'ReduceSumSquare', domain: '', name: `${raw}_r2_node`, input: [reference], output: [`${raw}_r2`], attribute: [{ name: 'keepdims', type: AttributeType.INT, i: 0 }] });
    nodes.push(...local);
    outputs.push(`${raw}_d2`, `${raw}_r2`);
    probes.push({ node: n.name || y, op, tensor: scaled?.source ?? y, diff2: `${raw}_d2`, ref2: `${raw}_r2` });
    k++;
  }
  graph.node = [...(graph.node ?? []), ...nodes];
  const declared = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of outputs) {
    if (declared.has(name)) continue;
    declared.add(name);
    graph.output = [...(graph.output ?? []), { name, type: { tensor_type: { elem_type: OnnxDataType.FLOAT } } }];
  }
  for (const o of qdq.opset_import ?? []) {
    if (!(out.opset_import ?? []).some((p) => (p.domain ?? '') === (o.domain ?? ''))) out.opset_import = [...(out.opset_import ?? []), o];
  }
  return { model: out, probes };
}

/** Running sums of one comparison. */
class Tally {
  maxAbs = 0;
  diff2 = 0;
  ref2 = 0;
  agree = 0;
  rows = 0;
  inter = 0;
  union = 0;
  inUnit = true;
  nonFinite = 0;
  /** elements that differ, for outputs that are not float (undefined for float outputs) */
  mismatches: number | undefined;
  exact(a: TensorData, b: TensorData): void {
    let n = this.mismatches ?? 0;
    for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) n++;
    this.mismatches = n;
  }
  add(a: ArrayLike<number>, b: ArrayLike<number>): void {
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      // as fp16Accuracy's compareOutput: one inf/NaN would make every sum inf/NaN
      if (!Number.isFinite(x)) continue;
      if (!Number.isFinite(y)) {
        this.nonFinite++;
        continue;
      }
      const d = Math.abs(x - y);
      if (d > this.maxAbs) this.maxAbs = d;
      this.diff2 += d * d;
      this.ref2 += x * x;
      if (x < 0 || x > 1) this.inUnit = false;
    }
  }
  argmax(a: ArrayLike<number>, b: ArrayLike<number>, classes: number): void {
    for (let r = 0; r * classes < a.length; r++) {
      let ba = 0;
      let bb = 0;
      for (let c = 1; c < classes; c++) {
        if (a[r * classes + c]! > a[r * classes + ba]!) ba = c;
        if (b[r * classes + c]! > b[r * classes + bb]!) bb = c;
      }
      if (ba === bb) this.agree++;
      this.rows++;
    }
  }
  map(a: ArrayLike<number>, b: ArrayLike<number>, threshold: number): void {
    for (let i = 0; i < a.length; i++) {
      const p = a[i]! > threshold;
      const q = b[i]! > threshold;
      if (p && q) this.inter++;
      if (p || q) this.union++;
    }
  }
  /** add one set's in-graph sums of a node probe, unless a NaN/inf made them useless */
  sums(diff2: number, ref2: number): void {
    if (!Number.isFinite(diff2) || !Number.isFinite(ref2)) return;
    this.diff2 += diff2;
    this.ref2 += ref2;
  }
  get relativeL2(): number {
    return this.ref2 > 0 ? Math.sqrt(this.diff2 / this.ref2) : Math.sqrt(this.diff2);
  }
}

function floats(t: OutputTensor | undefined, name: string): Float32Array {
  if (t === undefined || !(t.data instanceof Float32Array)) throw new QaicError('QAIC_RUN_FAILED', `int8Accuracy: probe output '${name}' is not float32 (${t?.dtype ?? 'missing'})`);
  return t.data;
}

const FLOAT_TYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'float64', 'float16']);

/** An output of one of the two runs (a model that ran must have produced it). */
function produced(t: OutputTensor | undefined, name: string, which: string): OutputTensor {
  if (t === undefined) throw new QaicError('QAIC_RUN_FAILED', `int8Accuracy: the ${which} run did not produce output '${name}'`, { details: { output: name } });
  return t;
}

/** An output's values as numbers, for the error sums: float16 from its bits, 64-bit integers through Number, strings as NaN (skipped). */
function numbers(t: OutputTensor): ArrayLike<number> {
  const d = t.data;
  if (t.dtype === 'float16') return float16ToFloat32Array(d as Uint16Array);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array || Array.isArray(d)) {
    return Float64Array.from({ length: d.length }, (_, i) => (typeof d[i] === 'bigint' ? Number(d[i]) : Number.NaN));
  }
  return d;
}

/**
 * Compile `modelPath` into int8 with `compileOptions` (as `compile()` would: `load_profile`, or
 * `convert_to_quantize` with `calibration_inputs`, and the `quantization_*` options), run it and the float32
 * model on evaluation inputs, and report per output the max abs error, relative L2 error, top-1 agreement for
 * [N, C] outputs, per-position arg-max agreement for [N, T, C] outputs and the thresholded-map IoU for map outputs
 * (outputs that are not float, such as an int64 ArgMax, are compared exactly: see {@link Int8OutputAccuracy}),
 * plus the quantized nodes whose own error is largest (the candidates for `keep_original_precision_for_nodes`).
 * A compile-time tool: it compiles into a temporary folder (removed after) and runs both models one input set at a
 * time on one activation each. With `convert_to_quantize` it calibrates on `calibration_inputs` again, so those must be
 * re-iterable (an array, not a one-shot generator); or calibrate once and pass `load_profile`.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when `compileOptions` do not quantize (no `load_profile`, no
 *   `convert_to_quantize`), when an evaluation input set is one of the calibration input sets (their SHA-256 is in
 *   the profile), when the iterable yields nothing, or for a bad setting (`mapThreshold`, `worstNodes`,
 *   `randomInputs`, `seed`); the profile errors of `compile()` (`QAIC_PROFILE_MISMATCH`, `QAIC_PROFILE_INVALID`);
 *   the input errors of `run()` (`QAIC_INPUT_SHAPE`, `QAIC_INPUT_DTYPE`, ...) naming the evaluation set.
 */
export async function int8Accuracy(modelPath: string, compileOptions: SessionOptions, options: Int8AccuracyOptions = {}): Promise<Int8AccuracyReport> {
  const threshold = options.mapThreshold ?? 0.3;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw fail(`mapThreshold must be a finite number, got ${describeValue(threshold)}`, { option: 'mapThreshold', given: threshold });
  const worst = options.worstNodes ?? 10;
  if (!Number.isInteger(worst) || worst < 0) throw fail(`worstNodes must be a non-negative integer, got ${describeValue(worst)}`, { option: 'worstNodes', given: worst });
  const randomSets = options.randomInputs ?? 2;
  if (!Number.isInteger(randomSets) || randomSets < 1) throw fail(`randomInputs must be a positive integer, got ${describeValue(randomSets)}`, { option: 'randomInputs', given: randomSets });
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw fail(`seed must be an integer, got ${describeValue(seed)}`, { option: 'seed', given: seed });
  // never write the user's dump_profile or output_dir: the profile and the program go to a temporary folder
  const { dump_profile: _dump, output_dir: _out, ...base } = compileOptions;
  const resolved = resolveOptions(base);
  if (resolved.load_profile === undefined && !resolved.convert_to_quantize) {
    throw fail('the compile options do not quantize: give load_profile, or convert_to_quantize with calibration_inputs', { option: 'load_profile' });
  }
  let iterator: Iterator<Inputs> | AsyncIterator<Inputs> | undefined;
  if (options.inputs !== undefined) {
    const given = options.inputs as Partial<AsyncIterable<Inputs> & Iterable<Inputs>> | null;
    iterator = given?.[Symbol.asyncIterator]?.() ?? given?.[Symbol.iterator]?.();
    if (iterator === undefined || typeof iterator.next !== 'function') throw fail(`expected the evaluation inputs as an iterable or async iterable of input dicts, got ${describeValue(options.inputs)}`, { option: 'inputs' });
  }

  const source = await int8Source(modelPath, resolved);
  if (source === undefined) throw fail('the compile options do not quantize', { option: 'convert_to_quantize' });
  const { model, bytes } = readModelFile(modelPath);
  fixDims(model, resolved.onnx_define_symbol, resolved.batchsize, `'${modelPath}'`);
  const job = int8Job(model, createHash('sha256').update(bytes).digest('hex'), source, resolved, `'${modelPath}'`);
  const qdq = quantizeGraph(model, {
    ranges: new Map(job.ranges.map(([name, min, max]) => [name, { min, max }])),
    activationSchema: job.activationSchema, constantSchema: job.constantSchema, channelwise: job.channelwise, rowwise: job.rowwise,
    biasPrecision: job.biasPrecision, keep: job.keep, keepOutputs: job.keepOutputs, keepStem: job.keepStem.map((k) => k.node), operators: job.operators,
    weightBits: job.weightRange.bits,
  });
  // an opset-9 model is raised to 10 for int8 (cls and rec are): the float32 side of the probes is raised the same
  // way, so that both halves share one opset (the raise changes no operator's meaning, see opset10.ts)
  let floatModel = model;
  if (qdq.report.opsetRaised) {
    floatModel = structuredClone(model);
    const used = new Set<string>();
    const g = floatModel.graph ?? {};
    for (const t of g.initializer ?? []) if (t.name) used.add(t.name);
    for (const n of g.node ?? []) for (const x of [...(n.input ?? []), ...(n.output ?? [])]) if (x) used.add(x);
    raiseToOpset10(floatModel, (base) => {
      let name = base;
      for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
      used.add(name);
      return name;
    }, `'${modelPath}'`);
  }
  const probe = probeModel(floatModel, qdq.model, (n) => job.operators.includes(n.op_type ?? '') && !job.keep.includes(n.op_type ?? '') && !(n.name !== undefined && job.keep.includes(n.name))
    && !job.keepOutputs.includes(n.output?.[0] ?? '') && !job.keepStem.some((k) => k.node === n.name), `'${modelPath}'`, qdq.scaledTensors);
  const io = modelIO(model);
  if (iterator === undefined) {
    const next = prng(seed);
    const sets: Inputs[] = [];
    for (let s = 0; s < randomSets; s++) {
      const set: Inputs = {};
      for (const spec of io.inputs) {
        const dims = resolveDims(spec, {}, INT8_ACCURACY);
        const dtype = spec.dtype ?? dtypeFromOnnx(spec.onnxType);
        if (dtype === undefined) throw fail(`cannot draw input '${spec.name}' of ONNX type ${spec.onnxType}; pass options.inputs`, { input: spec.name });
        set[spec.name] = { data: randomData(dtype, dims.reduce((a, b) => a * b, 1), next, INT8_ACCURACY), shape: dims };
      }
      sets.push(set);
    }
    iterator = sets[Symbol.iterator]();
  }
  const calibration = new Map((source.profile.inputDigests ?? []).map((d, i) => [d, i]));

  const { Session } = await import('../../session.js');
  const runOptions = { num_activations: 1, aic_num_cores: 1, set_size: 1, allow_oversubscription: true, copy_inputs: true } as const;
  const sessions: Array<InstanceType<typeof Session>> = [];
  // created right before the try whose finally removes it: nothing that can throw may come between
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-accuracy-'));
  try {
    const profileFile = join(dir, 'profile.json');
    writeProfile(profileFile, source.profile);
    const probeFile = join(dir, 'probe.onnx');
    writeFileSync(probeFile, encodeModel(probe.model));
    const { calibration_inputs: _c, convert_to_quantize: _q, ...rest } = base;
    const int8 = new Session(modelPath, { ...rest, ...runOptions, load_profile: profileFile, output_dir: join(dir, 'int8') });
    sessions.push(int8);
    const float = new Session(probeFile, { ...runOptions, compile: false });
    sessions.push(float);
    await Promise.all([int8.setup(), float.setup()]);
    const outputs = io.outputs.map(() => new Tally());
    const nodes = probe.probes.map(() => new Tally());
    const dimsOf: number[][] = io.outputs.map(() => []);
    let count = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      const index = count++;
      const set = next.value;
      if (typeof set === 'object' && set !== null) {
        const at = calibration.get(inputSetDigest(set));
        if (at !== undefined) throw fail(`evaluation input set ${index} is calibration input set ${at}: evaluate on inputs the profile was not calibrated on`, { evaluationSet: index, calibrationSet: at });
      }
      const tag = (error: unknown, which: string) => {
        if (error instanceof QaicError) error.message = `evaluation input set ${index} (${which}): ${error.message}`;
        throw error;
      };
      const a = await float.run(set).catch((e: unknown) => tag(e, 'float32'));
      const b = await int8.run(set).catch((e: unknown) => tag(e, 'int8'));
      io.outputs.forEach((spec, j) => {
        const ta = produced(a[spec.name], spec.name, 'float32');
        const tb = produced(b[spec.name], spec.name, 'int8');
        const x = numbers(ta);
        const y = numbers(tb);
        const t = outputs[j]!;
        t.add(x, y);
        const dims = ta.shape;
        dimsOf[j] = [...dims];
        // an int64 or bool output (ArgMax, a comparison) has no scores to rank or map to threshold: it is equal or not
        if (!FLOAT_TYPES.has(ta.dtype)) {
          t.exact(ta.data, tb.data);
          return;
        }
        const classes = dims[dims.length - 1]!;
        if ((dims.length === 2 || dims.length === 3) && classes > 1) t.argmax(x, y, classes);
        if (dims.length === 4) t.map(x, y, threshold);
      });
      probe.probes.forEach((p, j) => nodes[j]!.sums(floats(a[p.diff2], p.diff2)[0]!, floats(a[p.ref2], p.ref2)[0]!));
    }
    if (count === 0) throw fail('the evaluation inputs yielded nothing', { option: 'inputs' });
    const report: Int8AccuracyReport = {
      inputs: options.inputs === undefined ? 'random' : 'given',
      seed,
      evaluationInputs: count,
      mapThreshold: threshold,
      outputs: io.outputs.map((spec, j) => {
        const t = outputs[j]!;
        const dims = dimsOf[j]!;
        const o: Int8OutputAccuracy = { name: spec.name, dims, maxAbsError: t.maxAbs, relativeL2Error: t.relativeL2, nonFinite: t.nonFinite };
        if (t.mismatches !== undefined) {
          o.mismatches = t.mismatches;
          return o;
        }
        if (t.rows > 0 && dims.length === 2) o.top1Agreement = t.agree / t.rows;
        if (t.rows > 0 && dims.length === 3) o.argmaxAgreement = t.agree / t.rows;
        if (dims.length === 4 && t.inUnit) o.mapIoU = t.union === 0 ? 1 : t.inter / t.union;
        return o;
      }),
      worstNodes: probe.probes.map((p, j) => ({ node: p.node, op: p.op, tensor: p.tensor, relativeL2Error: nodes[j]!.relativeL2 }))
        .sort((x, y) => y.relativeL2Error - x.relativeL2Error).slice(0, worst),
      nodesMeasured: probe.probes.length,
      keptStem: job.keepStem.map((k) => k.node),
    };
    return report;
  } finally {
    for (const s of sessions) await s.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as qaic-exec prints it: a short table of the outputs, then the nodes to consider keeping in float. */
export function formatInt8Accuracy(report: Int8AccuracyReport): string {
  const from = report.inputs === 'random'
    ? `${report.evaluationInputs} random input set(s), seed ${report.seed}: not representative, give evaluation inputs (-accuracy-input-list-file)`
    : `${report.evaluationInputs} evaluation input set(s)`;
  const rows = [['output', 'dims', 'max abs err', 'rel L2', 'top-1/argmax', `map IoU@${report.mapThreshold}`]];
  for (const o of report.outputs) {
    const agree = o.top1Agreement ?? o.argmaxAgreement;
    // an output that is not float has its exact count where a float output has its agreement
    const agreement = o.mismatches !== undefined ? `${o.mismatches} differ` : agree === undefined ? '-' : `${(agree * 100).toFixed(1)}%`;
    rows.push([o.name, `[${o.dims.join(',')}]`, o.maxAbsError.toExponential(2), o.relativeL2Error.toExponential(2),
      agreement, o.mapIoU === undefined ? '-' : o.mapIoU.toFixed(3)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = [`Int8 accuracy against float32 (${from}):`, ...rows.map((r) => `  ${r.map((v, c) => v.padEnd(widths[c]!)).join('  ')}`.trimEnd())];
  for (const o of report.outputs) {
    if (o.nonFinite > 0) lines.push(`  ${o.name}: ${o.nonFinite} value(s) finite in float32 ${o.nonFinite === 1 ? 'is' : 'are'} inf/NaN in int8 (left out of the errors above)`);
  }
  if (report.keptStem.length > 0) lines.push(`Kept in float as the stem (keep_stem_nodes; -keep-stem-nodes=0 quantizes them too): ${report.keptStem.join(', ')}`);
  if (report.worstNodes.length > 0) {
    lines.push(`Quantized nodes with the largest own error (of ${report.nodesMeasured}; keep some in float with -keep-original-precision-for-nodes=<names>):`);
    for (const n of report.worstNodes) lines.push(`  ${n.node} (${n.op}) -> ${n.tensor}: rel L2 ${n.relativeL2Error.toExponential(2)}`);
  }
  return lines.join('\n');
}

/**
 * The int8 pass: rewrite a float32 graph into onnxruntime's QDQ format, so that its CPU provider fuses the
 * quantized patterns into int8 kernels (QLinearConv, QLinearMatMul, QLinearAdd, ...) when it optimizes the graph.
 *
 * What it does, in order:
 * 1. Fold inference-mode BatchNormalization into the Conv feeding it (in float32, as the float16 pass does), so that
 *    the folded weight is quantized once.
 * 2. Fold Relu and Clip into the quantization range: a Relu or Clip that is the only reader of a quantized node's
 *    output is removed, and the node's output takes the Relu/Clip output's name and calibrated range, when the
 *    quantization that follows clamps exactly as the Relu/Clip did (a uint8 zero point of 0 for Relu; a range inside
 *    the Clip's bounds for Clip). Otherwise the Relu/Clip stays.
 * 3. Weights (the constant weight input of Conv, ConvTranspose, MatMul and Gemm) become int8 initializers with a
 *    DequantizeLinear, per output channel when `channelwise` (Conv axis 0, ConvTranspose 1, MatMul 1, Gemm 0 with
 *    transB else 1), and the bias of Conv and Gemm becomes int32 with scale input scale x weight scale (or int8 with
 *    its own symmetric scale when `biasPrecision` is 'Int8', which onnxruntime then does not fuse).
 * 4. Every float activation read or written by a quantized node, other than a graph output, gets one
 *    QuantizeLinear and one DequantizeLinear per reader (each fused node must own its DequantizeLinear), with
 *    uint8 parameters from its calibrated range under the activation schema. What a kept node writes is not
 *    quantized, nor, after a kept weighted node that reads a quantized tensor, what the nodes onnxruntime folds into
 *    it write (see `floatAfterKept`): onnxruntime would quantize the kept node itself.
 *
 * Per-channel DequantizeLinear needs opset 13; for older models (PP-OCRv4 is opset 11) the Q/DQ nodes come from
 * onnxruntime's `com.microsoft` domain, which has the same semantics and which its QDQ fusions recognise, so the
 * model's own opset (and so the meaning of its other operators) is not changed.
 */
import { QaicError } from '../../errors.js';
import { makeTensorProto, opsetVersion, tensorData } from '../../onnx/model.js';
import { AttributeType, OnnxDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';
import { foldBatchNormIntoConv } from '../fp16/fold-batchnorm.js';
import { foldAffineIntoConv } from './fold-affine.js';
import { foldScaleThroughHardSwish, type ScaledTensor } from './fold-swish-scale.js';
import { fuseHardSwish } from './hard-swish.js';
import { raiseToOpset10 } from './opset10.js';
import { inferElementTypes } from '../fp16/types.js';
import { activationParams, biasScale, quantizeBias, quantizeValue, weightParams, type QuantParams, type QuantizationSchema } from './params.js';
import type { CalibratedRange } from './ranges.js';

/** Operators with a weight input that the pass quantizes, and the axis of their output channels in that weight. */
const WEIGHTED: Readonly<Record<string, (node: NodeProto) => number>> = {
  Conv: () => 0,
  ConvTranspose: () => 1,
  MatMul: () => 1,
  Gemm: (n) => (Number((n.attribute ?? []).find((a) => a.name === 'transB')?.i ?? 0) === 1 ? 0 : 1),
};

/**
 * Operators whose activations the pass quantizes: those onnxruntime's CPU provider runs on 8-bit data after its QDQ
 * fusions (QLinear kernels, or the data-movement operators it runs directly on 8-bit values).
 */
export const QUANTIZED_OPERATORS: readonly string[] = [
  'Conv', 'MatMul', 'Gemm', 'Add', 'Mul', 'AveragePool', 'GlobalAveragePool', 'LeakyRelu', 'Sigmoid', 'Concat',
  'MaxPool', 'Resize', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten',
];

/** Settings of {@link quantizeGraph}. */
export interface QdqOptions {
  /** calibrated range of each activation tensor, by name */
  ranges: ReadonlyMap<string, CalibratedRange>;
  /** `quantization_schema_activations` (the SDK's default: 'symmetric_with_uint8') */
  activationSchema?: QuantizationSchema;
  /** `quantization_schema_constants` (the SDK's default: 'symmetric_with_uint8') */
  constantSchema?: QuantizationSchema;
  /** `enable_channelwise`: one scale per output channel of each Conv/ConvTranspose weight (default false) */
  channelwise?: boolean;
  /** `enable_rowwise`: one scale per output column of each MatMul/Gemm weight (default: as `channelwise`) */
  rowwise?: boolean;
  /** `quantization_precision_bias` (default 'Int32') */
  biasPrecision?: 'Int32' | 'Int8';
  /** node names or operator types kept in float32 (`keep_original_precision_for_nodes`) */
  keep?: readonly string[];
  /** first output names of nodes kept in float32 (`node_precision_info_file`) */
  keepOutputs?: readonly string[];
  /** names of nodes kept in float32 as the model's stem, its first quantized nodes (`keep_stem_nodes`; reported as 'stem') */
  keepStem?: readonly string[];
  /** operator types to quantize (default {@link QUANTIZED_OPERATORS}) */
  operators?: readonly string[];
  /** fold Relu/Clip into the quantization range where that is exact (default true) */
  foldActivations?: boolean;
  /**
   * rewrite `x * Clip(x + 3, 0, 6) / 6` as `x * HardSigmoid(x)`, two float passes instead of four, and fold a constant
   * scale after it into the Conv producing x (default true; see `hard-swish.ts`, `fold-swish-scale.ts`)
   */
  fuseHardSwish?: boolean;
  /** bits of the weights' integer range: 8, or 7 where the host's int8 kernels saturate (see `weight-range.ts`; default 8) */
  weightBits?: 7 | 8;
}

/**
 * Why a node of a quantizable type stayed in float32: kept by the user, kept as one of the model's first quantized
 * nodes in graph order (the stem: `keep_stem_nodes`), not float, no calibrated range, or a model
 * whose opset cannot be raised to 10, where onnxruntime's int8 kernels start (see {@link QdqReport.notQuantized}).
 */
export type FloatReason = 'user' | 'stem' | 'not-float' | 'no-range' | 'opset';

/** What the int8 pass (`quantizeGraph`) did. */
export interface QdqReport {
  /** quantized nodes by operator type */
  quantizedNodes: Record<string, number>;
  /** nodes of a quantizable type kept in float32, with the reason */
  keptFloat: Array<{
    /** the node's name */
    node: string;
    /** its operator type */
    op: string;
    /** why it stayed float32 */
    reason: FloatReason;
  }>;
  /** BatchNormalization nodes folded into their Conv */
  batchNormsFolded: number;
  /** Relu/Clip nodes folded into the quantization range */
  activationsFolded: number;
  /** per-channel Mul/Add nodes after a Conv folded into its weight and bias */
  affinesFolded: number;
  /** hard-swish patterns (Add, Clip, Mul, Div) rewritten as HardSigmoid and Mul */
  hardSwishesFused: number;
  /** constant scales after a hard-swish folded into the Conv before it */
  swishScalesFolded: number;
  /** weights quantized, and their bytes before (float32) and after (int8 + scales) */
  weights: {
    /** weights quantized */
    count: number;
    /** their float32 bytes */
    bytesBefore: number;
    /** their int8 bytes plus scales and zero points */
    bytesAfter: number;
  };
  /** bias elements that saturated int32 (their value is clipped; 0 in a healthy model) */
  biasSaturated: number;
  /** activation tensors given QuantizeLinear/DequantizeLinear */
  activationTensors: number;
  /** the domain of the Q/DQ nodes: '' (opset 13+) or 'com.microsoft' */
  qdqDomain: string;
  /** whether an opset-9 model was raised to opset 10 (where onnxruntime's int8 kernels exist) */
  opsetRaised: boolean;
  /** why the whole model stayed float32 (an opset older than 9, or an operator that changed meaning at 10), if it did */
  notQuantized?: string;
}

function attribute(node: NodeProto, name: string) {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** Constant tensors by name: initializers and `Constant` nodes' values. */
function constants(graph: GraphProto): Map<string, { tensor: TensorProto; node?: NodeProto }> {
  const out = new Map<string, { tensor: TensorProto; node?: NodeProto }>();
  for (const t of graph.initializer ?? []) if (t.name) out.set(t.name, { tensor: t });
  for (const n of graph.node ?? []) {
    if (n.op_type !== 'Constant' || (n.domain ?? '') !== '') continue;
    const t = attribute(n, 'value')?.t;
    if (t !== undefined && n.output?.[0]) out.set(n.output[0], { tensor: t, node: n });
  }
  return out;
}

function floatData(t: TensorProto): { dims: number[]; data: Float32Array } | undefined {
  if (t.data_type !== OnnxDataType.FLOAT || t.data_location === 1) return undefined;
  const { dims, data } = tensorData(t);
  return { dims, data: data as Float32Array };
}

/** Per-channel (or whole-tensor) min and max of `data` with `dims` along `axis`. */
function channelRanges(data: Float32Array, dims: readonly number[], axis: number | undefined): Array<{ min: number; max: number }> {
  if (axis === undefined) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return [{ min: data.length === 0 ? 0 : min, max: data.length === 0 ? 0 : max }];
  }
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = Array.from({ length: channels }, () => ({ min: Infinity, max: -Infinity }));
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const r = out[c]!;
    const v = data[i]!;
    if (v < r.min) r.min = v;
    if (v > r.max) r.max = v;
  }
  return out;
}

/**
 * Rewrite `model` (float32, dims fixed) into QDQ form with the calibrated `ranges`. Returns a new model; the
 * caller's is not modified.
 * A model that cannot be raised to opset 10 is returned unchanged, every quantizable node in `keptFloat` with reason
 * 'opset' and the cause in `notQuantized`.
 * @throws QaicError `QAIC_MODEL_INVALID` for a model without a graph.
 */
export function quantizeGraph(model: ModelProto, options: QdqOptions): {
  /** the QDQ model (a new object) */
  model: ModelProto;
  /** what the pass did */
  report: QdqReport;
  /**
   * first output names of the nodes onnxruntime must see in float32 to fuse them: every QuantizeLinear and
   * DequantizeLinear the pass wrote and every quantized node (what `convertToFp16`'s `int8Nodes` takes)
   */
  int8Nodes: string[];
  /** Conv outputs the pass renamed and scaled (`fold-swish-scale.ts`): what the accuracy probes compare them with */
  scaledTensors: ScaledTensor[];
} {
  if (model.graph === undefined) throw new QaicError('QAIC_MODEL_INVALID', 'the int8 pass expected an ONNX model with a graph; the model has none');
  const activationSchema = options.activationSchema ?? 'symmetric_with_uint8';
  const constantSchema = options.constantSchema ?? 'symmetric_with_uint8';
  const channelwise = options.channelwise ?? false;
  const rowwise = options.rowwise ?? channelwise;
  const biasPrecision = options.biasPrecision ?? 'Int32';
  const quantizable = new Set(options.operators ?? QUANTIZED_OPERATORS);
  const keep = new Set(options.keep ?? []);
  const keepOutputs = new Set(options.keepOutputs ?? []);
  const keepStem = new Set(options.keepStem ?? []);
  let out: ModelProto = structuredClone(model);
  let graph = out.graph!;
  const used = new Set<string>();
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) if (v.name) used.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) used.add(t.name);
  for (const n of graph.node ?? []) for (const x of [...(n.input ?? []), ...(n.output ?? []), n.name ?? '']) if (x) used.add(x);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  // the fused int8 kernels are opset-10 operators: an opset-9 model is raised first (see opset10.ts). A model that
  // cannot be raised (older than opset 9, or with an operator whose meaning changed at 10) stays float32 as a whole,
  // every quantizable node reported with the reason: compiling with Int8 still gives a correct program.
  let opsetRaised = false;
  try {
    opsetRaised = raiseToOpset10(out, fresh);
  } catch (error) {
    if (!(error instanceof QaicError) || error.code !== 'QAIC_UNSUPPORTED_OPERATOR') throw error;
    out = structuredClone(model);
    graph = out.graph!;
    const report: QdqReport = {
      quantizedNodes: {}, keptFloat: [], batchNormsFolded: 0, activationsFolded: 0, affinesFolded: 0, hardSwishesFused: 0, swishScalesFolded: 0,
      weights: { count: 0, bytesBefore: 0, bytesAfter: 0 }, biasSaturated: 0, activationTensors: 0, qdqDomain: '', opsetRaised: false,
      notQuantized: error.message,
    };
    for (const n of graph.node ?? []) {
      if (quantizable.has(n.op_type ?? '') && (n.domain ?? '') === '') report.keptFloat.push({ node: n.name || (n.output?.[0] ?? ''), op: n.op_type ?? '', reason: 'opset' });
    }
    return { model: out, report, int8Nodes: [], scaledTensors: [] };
  }
  const opset = opsetVersion(out, '') ?? 1;
  const qdqDomain = opset >= 13 ? '' : 'com.microsoft';
  if (qdqDomain !== '' && !(out.opset_import ?? []).some((o) => o.domain === 'com.microsoft')) {
    out.opset_import = [...(out.opset_import ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  const byUser = (n: NodeProto) => (n.name !== undefined && keep.has(n.name)) || keep.has(n.op_type ?? '') || keepOutputs.has(n.output?.[0] ?? '');
  const userKept = (n: NodeProto) => byUser(n) || (n.name !== undefined && n.name !== '' && keepStem.has(n.name));

  const report: QdqReport = {
    quantizedNodes: {}, keptFloat: [], batchNormsFolded: 0, activationsFolded: 0, affinesFolded: 0, hardSwishesFused: 0, swishScalesFolded: 0,
    weights: { count: 0, bytesBefore: 0, bytesAfter: 0 }, biasSaturated: 0, activationTensors: 0, qdqDomain, opsetRaised,
  };
  if (Number(out.ir_version ?? 0) >= 4) {
    report.batchNormsFolded = foldBatchNormIntoConv(graph, fresh, userKept);
    const rankOf = (conv: NodeProto): number | undefined => {
      const w = constants(graph).get(conv.input?.[1] ?? '');
      return w === undefined ? undefined : (w.tensor.dims ?? []).length;
    };
    report.affinesFolded = foldAffineIntoConv(graph, fresh, userKept, rankOf);
  }
  const ranges = new Map(options.ranges);
  const scaledTensors: ScaledTensor[] = [];
  if (options.fuseHardSwish ?? true) {
    report.hardSwishesFused = fuseHardSwish(graph, fresh, userKept);
    scaledTensors.push(...foldScaleThroughHardSwish(graph, fresh, userKept, ranges));
    report.swishScalesFolded = scaledTensors.length;
  }

  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const readers = () => {
    const m = new Map<string, NodeProto[]>();
    for (const n of graph.node ?? []) for (const x of n.input ?? []) if (x) m.set(x, [...(m.get(x) ?? []), n]);
    return m;
  };

  // 2. fold Relu/Clip into the range of the quantized node that feeds them
  if (options.foldActivations ?? true) {
    const byReader = readers();
    const removed = new Set<NodeProto>();
    const consts = constants(graph);
    for (const n of graph.node ?? []) {
      if (!quantizable.has(n.op_type ?? '') || userKept(n) || (n.output ?? []).length !== 1) continue;
      const t = n.output![0]!;
      const rs = byReader.get(t) ?? [];
      if (rs.length !== 1 || graphOutputs.has(t)) continue;
      const act = rs[0]!;
      if ((act.op_type !== 'Relu' && act.op_type !== 'Clip') || userKept(act) || (act.domain ?? '') !== '') continue;
      const y = act.output?.[0];
      const range = y === undefined ? undefined : ranges.get(y);
      // a graph output gets no QuantizeLinear, so nothing would clamp in the Relu/Clip's place
      if (y === undefined || range === undefined || graphOutputs.has(y)) continue;
      const p = activationParams(range.min, range.max, activationSchema, `'${y}'`);
      const qlo = (0 - p.zeroPoint) * p.scale;
      const qhi = (255 - p.zeroPoint) * p.scale;
      // The Q clamps to [qlo, qhi]. For Relu that is exact when qlo is 0. For Clip(lo, hi) the lower clamp must be
      // lo itself and the upper one inside hi: values above the calibrated maximum are clamped lower than the Clip
      // would, which is the clipping any calibrated range makes.
      let exact: boolean;
      if (act.op_type === 'Relu') exact = p.zeroPoint === 0;
      else {
        const bound = (k: number, attr: string, fallback: number): number | undefined => {
          const name = act.input?.[k];
          if (name) {
            const c = consts.get(name);
            return c === undefined ? undefined : floatData(c.tensor)?.data[0];
          }
          const a = attribute(act, attr);
          return a === undefined ? fallback : a.f ?? fallback;
        };
        const lo = bound(1, 'min', -Infinity);
        const hi = bound(2, 'max', Infinity);
        exact = lo !== undefined && hi !== undefined && Math.abs(qlo - lo) <= p.scale / 2 && qhi <= hi + p.scale / 2;
      }
      if (!exact) continue;
      n.output = [y];
      removed.add(act);
      report.activationsFolded++;
    }
    if (removed.size > 0) graph.node = (graph.node ?? []).filter((n) => !removed.has(n));
  }

  const types = inferElementTypes(graph);
  const isFloat = (name: string) => name !== '' && types.get(name) === OnnxDataType.FLOAT;
  const consts = constants(graph);
  const isConst = (name: string) => consts.has(name);

  // 3. decide which nodes are quantized
  const chosen: NodeProto[] = [];
  for (const n of graph.node ?? []) {
    const op = n.op_type ?? '';
    if (!quantizable.has(op) || (n.domain ?? '') !== '') continue;
    const name = n.name || (n.output?.[0] ?? op);
    if (userKept(n)) {
      report.keptFloat.push({ node: name, op, reason: byUser(n) ? 'user' : 'stem' });
      continue;
    }
    const data = (n.input ?? []).filter((x, k) => x && !isConst(x) && !(op === 'Reshape' && k === 1) && !(op === 'Resize' && k > 0) && !((op === 'Squeeze' || op === 'Unsqueeze') && k === 1));
    const outs = (n.output ?? []).filter((x) => x);
    if (![...data, ...outs].every(isFloat) || data.length === 0) {
      report.keptFloat.push({ node: name, op, reason: 'not-float' });
      continue;
    }
    const needRange = [...data, ...outs.filter((x) => !graphOutputs.has(x))];
    if (!needRange.every((x) => ranges.has(x))) {
      report.keptFloat.push({ node: name, op, reason: 'no-range' });
      continue;
    }
    chosen.push(n);
  }

  // 4. weights and biases
  const newInitializers: TensorProto[] = [];
  const newNodes: NodeProto[] = [];
  const dq = (input: string, scale: string, zeroPoint: string, output: string, axis?: number): NodeProto => ({
    op_type: 'DequantizeLinear', domain: qdqDomain, input: [input, scale, zeroPoint], output: [output], name: fresh(`${output}__node`),
    attribute: axis === undefined ? [] : [{ name: 'axis', type: AttributeType.INT, i: axis }],
  });
  const params = new Map<string, QuantParams>();
  const activation = (t: string): QuantParams => {
    let p = params.get(t);
    if (p === undefined) {
      const r = ranges.get(t)!;
      p = activationParams(r.min, r.max, activationSchema, `'${t}'`);
      params.set(t, p);
    }
    return p;
  };
  const replacedWeights = new Set<string>();
  for (const n of chosen) {
    const op = n.op_type ?? '';
    const axisOf = WEIGHTED[op];
    if (axisOf === undefined) continue;
    const wName = n.input?.[1];
    const w = wName ? consts.get(wName) : undefined;
    const wf = w === undefined ? undefined : floatData(w.tensor);
    const xName = n.input?.[0];
    if (wName === undefined || wf === undefined || xName === undefined || !ranges.has(xName)) continue;
    const perChannel = op === 'MatMul' || op === 'Gemm' ? rowwise : channelwise;
    const axis = perChannel && wf.dims.length > 1 ? axisOf(n) : undefined;
    const per = channelRanges(wf.data, wf.dims, axis);
    const ps = per.map((r) => weightParams(r.min, r.max, constantSchema, `weight '${wName}'`, options.weightBits ?? 8));
    // An int32 bias has scale input scale x weight scale; where a channel's weights are tiny next to its bias, that
    // product is so small that the bias overflows int32. Raise that weight scale until the bias fits, as
    // onnxruntime's quantizer does (its weights then use fewer levels, which they barely had anyway).
    const biasConst = (op === 'Conv' || op === 'Gemm') && biasPrecision === 'Int32' && n.input?.[2] ? consts.get(n.input[2]) : undefined;
    const biasValues = biasConst === undefined ? undefined : floatData(biasConst.tensor)?.data;
    if (biasValues !== undefined && ranges.has(xName)) {
      const xs = activation(xName).scale;
      const limit = 2 ** 31 - 1;
      for (let c = 0; c < biasValues.length; c++) {
        const k = ps.length === 1 ? 0 : c;
        const p = ps[k]!;
        const needed = Math.abs(biasValues[c]!) / (xs * limit);
        if (p.scale < needed) ps[k] = { ...p, scale: Math.fround(needed * 1.0001) };
      }
    }
    const inner = axis === undefined ? wf.data.length : wf.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const channels = axis === undefined ? 1 : wf.dims[axis]!;
    const q = new Int8Array(wf.data.length);
    for (let i = 0; i < q.length; i++) q[i] = quantizeValue(wf.data[i]!, ps[axis === undefined ? 0 : Math.floor(i / inner) % channels]!);
    const qName = fresh(`${wName}_quantized`);
    const sName = fresh(`${wName}_scale`);
    const zName = fresh(`${wName}_zero_point`);
    const scaleData = Float32Array.from(ps, (p) => p.scale);
    const zeroData = Int8Array.from(ps, (p) => p.zeroPoint);
    const shape = axis === undefined ? [] : [channels];
    newInitializers.push(makeTensorProto(qName, 'int8', wf.dims, q), makeTensorProto(sName, 'float32', shape, scaleData), makeTensorProto(zName, 'int8', shape, zeroData));
    const dqName = fresh(`${wName}_dequantized`);
    newNodes.push(dq(qName, sName, zName, dqName, axis));
    n.input![1] = dqName;
    replacedWeights.add(wName);
    report.weights.count++;
    report.weights.bytesBefore += wf.data.length * 4;
    report.weights.bytesAfter += q.length + scaleData.byteLength + zeroData.byteLength;

    const bName = op === 'Conv' || op === 'Gemm' ? n.input?.[2] : undefined;
    const b = bName ? consts.get(bName) : undefined;
    const bf = b === undefined ? undefined : floatData(b.tensor);
    if (bName && bf !== undefined) {
      const xs = activation(xName).scale;
      const bsName = fresh(`${bName}_scale`);
      const bzName = fresh(`${bName}_zero_point`);
      const bqName = fresh(`${bName}_quantized`);
      let bAxis: number | undefined;
      if (biasPrecision === 'Int32') {
        const scales = ps.length === 1 ? Float32Array.of(biasScale(xs, ps[0]!.scale)) : Float32Array.from(ps, (p) => biasScale(xs, p.scale));
        const perElement = scales.length === 1 ? scales[0]! : Float32Array.from(bf.data, (_, i) => scales[i]!);
        const { data, saturated } = quantizeBias(bf.data, perElement);
        report.biasSaturated += saturated;
        bAxis = scales.length > 1 ? 0 : undefined;
        newInitializers.push(makeTensorProto(bqName, 'int32', bf.dims, data), makeTensorProto(bsName, 'float32', scales.length > 1 ? [scales.length] : [], scales),
          makeTensorProto(bzName, 'int32', scales.length > 1 ? [scales.length] : [], new Int32Array(scales.length)));
      } else {
        const [r] = channelRanges(bf.data, bf.dims, undefined);
        const p = weightParams(r!.min, r!.max, 'symmetric', `bias '${bName}'`);
        newInitializers.push(makeTensorProto(bqName, 'int8', bf.dims, Int8Array.from(bf.data, (v) => quantizeValue(v, p))), makeTensorProto(bsName, 'float32', [], Float32Array.of(p.scale)),
          makeTensorProto(bzName, 'int8', [], Int8Array.of(0)));
      }
      const bdq = fresh(`${bName}_dequantized`);
      newNodes.push(dq(bqName, bsName, bzName, bdq, bAxis));
      n.input![2] = bdq;
      replacedWeights.add(bName);
    }
  }

  // 5. activations: one Q per tensor, one DQ per reader
  const tensors = new Set<string>();
  for (const n of chosen) {
    const op = n.op_type ?? '';
    (n.input ?? []).forEach((x, k) => {
      if (!x || isConst(x) || !isFloat(x)) return;
      if ((op === 'Reshape' && k === 1) || (op === 'Resize' && k > 0)) return;
      tensors.add(x);
    });
    for (const y of n.output ?? []) if (y && !graphOutputs.has(y) && isFloat(y)) tensors.add(y);
  }
  // A node the user keeps in float must not sit between a DequantizeLinear and a QuantizeLinear: onnxruntime would
  // fuse it into an int8 kernel anyway (it quantizes float weights there). So what it produces is never quantized.
  const keptOutputs = new Set<string>();
  for (const n of graph.node ?? []) if (userKept(n)) for (const y of n.output ?? []) keptOutputs.add(y);
  const byReader = readers();
  // Nor may a QuantizeLinear come after the nodes onnxruntime folds into a kept weighted node (see
  // {@link floatAfterKept}): the tensors they write stay float too, and a quantized node reading one reads float.
  for (const n of graph.node ?? []) {
    if (!userKept(n) || !REQUANTIZED_WHEN_KEPT.has(n.op_type ?? '') || (n.domain ?? '') !== '') continue;
    const x = n.input?.[0];
    if (!x || !tensors.has(x) || !ranges.has(x) || keptOutputs.has(x)) continue;
    for (const y of floatAfterKept(n, byReader, isConst)) keptOutputs.add(y);
  }
  for (const t of tensors) {
    if (!ranges.has(t) || keptOutputs.has(t)) continue;
    const p = activation(t);
    const sName = fresh(`${t}_scale`);
    const zName = fresh(`${t}_zero_point`);
    newInitializers.push(makeTensorProto(sName, 'float32', [], Float32Array.of(p.scale)), makeTensorProto(zName, 'uint8', [], Uint8Array.of(p.zeroPoint)));
    const qName = fresh(`${t}_quantized`);
    newNodes.push({ op_type: 'QuantizeLinear', domain: qdqDomain, input: [t, sName, zName], output: [qName], name: fresh(`${qName}__node`) });
    for (const r of byReader.get(t) ?? []) {
      const d = fresh(`${t}_dequantized`);
      newNodes.push(dq(qName, sName, zName, d));
      r.input = (r.input ?? []).map((x) => (x === t ? d : x));
    }
    report.activationTensors++;
  }
  for (const n of chosen) report.quantizedNodes[n.op_type ?? ''] = (report.quantizedNodes[n.op_type ?? ''] ?? 0) + 1;

  // drop the float weights nothing reads any more
  graph.node = [...newNodes, ...(graph.node ?? [])];
  const stillRead = new Set<string>();
  for (const n of graph.node) for (const x of n.input ?? []) if (x) stillRead.add(x);
  for (const o of graph.output ?? []) if (o.name) stillRead.add(o.name);
  graph.node = graph.node.filter((n) => !(n.op_type === 'Constant' && replacedWeights.has(n.output?.[0] ?? '') && !stillRead.has(n.output![0]!)));
  const dropped = new Set((graph.initializer ?? []).filter((t) => replacedWeights.has(t.name ?? '') && !stillRead.has(t.name ?? '')).map((t) => t.name ?? ''));
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !dropped.has(t.name ?? '')), ...newInitializers];
  // before IR version 4 an initializer is also listed as a graph input; left there, it would become a required input
  graph.input = (graph.input ?? []).filter((i) => !dropped.has(i.name ?? ''));
  graph.node = topologicalOrder(graph);
  const int8Nodes = [...newNodes, ...chosen].map((n) => n.output?.[0] ?? '').filter((y) => y !== '');
  return { model: out, report, int8Nodes, scaledTensors };
}

/**
 * Kept operators that onnxruntime quantizes itself when their data input comes from a (per-tensor) DequantizeLinear
 * and their output reaches a QuantizeLinear: its `WeightBiasQuantization` pass (level 1, before its QDQ fusions)
 * gives their float weight a per-tensor symmetric 8-bit QuantizeLinear/DequantizeLinear and their bias an int32 one,
 * so the node the user kept runs in int8 (per-tensor, and at 8 bits where this host's kernels need 7: see
 * `weight-range.ts`). On a model below opset 11 the bias rounding it inserts is a `Round` the opset lacks, and the
 * model no longer loads. MatMul is in the list because onnxruntime fuses a MatMul and the Add after it into a Gemm.
 * Measured with onnxruntime-node 1.30 (test/compiler/quant/qdq-keep-boundary.test.ts).
 */
const REQUANTIZED_WHEN_KEPT: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/**
 * Operators onnxruntime folds into a Conv/Gemm before it looks for a QuantizeLinear after it (BatchNormalization,
 * Mul and Add by a constant: its ConvBNFusion, ConvMulFusion, ConvAddFusion and MatMulAddFusion) or looks through
 * (Relu, Clip), when their other inputs are constants.
 */
const FOLDED_INTO_WEIGHTED: ReadonlySet<string> = new Set(['BatchNormalization', 'Mul', 'Add', 'Relu', 'Clip']);

/**
 * The tensors a kept weighted node writes, directly or through the nodes onnxruntime folds into it
 * ({@link FOLDED_INTO_WEIGHTED} with constant other inputs): none of them may be quantized, or onnxruntime sees
 * DequantizeLinear -> node -> QuantizeLinear once it has folded them and quantizes the kept node (see
 * {@link REQUANTIZED_WHEN_KEPT}). The quantized nodes that read one of them then read float (they run as float
 * kernels with int8 weights): the float region widens to what onnxruntime leaves in float.
 */
function floatAfterKept(kept: NodeProto, byReader: ReadonlyMap<string, NodeProto[]>, isConst: (name: string) => boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = (kept.output ?? []).filter((y) => y !== '');
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    for (const r of byReader.get(t) ?? []) {
      if (!FOLDED_INTO_WEIGHTED.has(r.op_type ?? '') || (r.domain ?? '') !== '') continue;
      if (!(r.input ?? []).every((x) => x === '' || x === t || isConst(x))) continue;
      for (const y of r.output ?? []) if (y !== '') stack.push(y);
    }
  }
  return out;
}

/** Nodes in an order where every input is produced before it is read (ONNX requires it). */
function topologicalOrder(graph: GraphProto): NodeProto[] {
  const nodes = graph.node ?? [];
  const available = new Set<string>(['']);
  for (const i of graph.input ?? []) if (i.name) available.add(i.name);
  for (const t of graph.initializer ?? []) if (t.name) available.add(t.name);
  const producers = new Map<string, number>();
  nodes.forEach((n, k) => {
    for (const y of n.output ?? []) producers.set(y, k);
  });
  const ordered: NodeProto[] = [];
  const state = new Uint8Array(nodes.length); // 0 new, 1 visiting, 2 done
  const visit = (k: number): void => {
    if (state[k] === 2) return;
    const stack: Array<{ k: number; i: number }> = [{ k, i: 0 }];
    state[k] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = nodes[top.k]!.input ?? [];
      if (top.i < inputs.length) {
        const x = inputs[top.i++]!;
        const p = available.has(x) ? undefined : producers.get(x);
        if (p !== undefined && state[p] === 0) {
          state[p] = 1;
          stack.push({ k: p, i: 0 });
        }
        continue;
      }
      state[top.k] = 2;
      ordered.push(nodes[top.k]!);
      stack.pop();
    }
  };
  for (let k = 0; k < nodes.length; k++) visit(k);
  return ordered;
}

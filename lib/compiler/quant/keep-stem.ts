/**
 * The stem keep of the int8 pass (`keep_stem_nodes`, by default one per 15 quantized nodes): keep in float the first
 * quantized nodes in graph order (the stem, which reads the graph input: see {@link stemNodes}), where the measurements
 * found what hurts accuracy most, and say for each how much error the profile predicted.
 *
 * The prediction needs no inputs (a compile with `load_profile` has none). It reads the int8 pass's own output, so
 * that each node's output is the tensor really quantized (after BatchNormalization or Relu folded into it) and its
 * weight is the stored one. For a node it is sqrt(e_in^2 + e_w^2 + e_out^2), where
 * - e_in and e_out are the relative RMS errors of quantizing its data input and its output to uint8 over their
 *   calibrated ranges, computed on their profiled histograms (rounding noise inside the range, clipping outside it:
 *   {@link expectedSquaredError}) and divided by the RMS of the histogram;
 * - e_w is the relative RMS rounding error of its stored int8 weight (step^2 / 12 per value, with the step the pass
 *   chose per channel, raised where an int32 bias needed it) against the stored weight's power.
 * It is reported beside each kept node, not used to choose them: it did not find the nodes `int8Accuracy`'s probe
 * measured worst.
 */
import type { ModelProto, NodeProto, TensorProto } from '../../onnx/schema.js';
import { OnnxDataType } from '../../onnx/schema.js';
import { tensorData } from '../../onnx/model.js';
import type { TensorHistogram } from './histogram.js';
import { expectedSquaredError } from './ranges.js';

/** One node's estimated own int8 error (reported for each node `keep_stem_nodes` keeps). */
export interface NodeErrorEstimate {
  /** the node's name: how the int8 pass is told to keep it */
  node: string;
  /** its operator type */
  op: string;
  /** its first output, as the int8 pass writes it (after folding a BatchNormalization or Relu into it) */
  output: string;
  /** estimated relative RMS error the node adds by itself in int8 */
  estimate: number;
  /** whether its data input is a graph input */
  readsInput: boolean;
}

/** Relative RMS error of quantizing `h` to 255 steps over [lo, hi] (0 contained), or 0 for an all-zero tensor. */
export function relativeActivationError(h: TensorHistogram, lo: number, hi: number): number {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  if (!(b > a) || h.total <= 0) return 0;
  const step = (h.hi - h.lo) / h.counts.length;
  let power = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const x = h.lo + (i + 0.5) * step;
    power += h.counts[i]! * x * x;
  }
  if (!(power > 0)) return 0;
  return Math.sqrt(expectedSquaredError(h, a, b) / power);
}

/** Settings of {@link estimateNodeErrors}. */
export interface EstimateSettings {
  /** the profile's histogram of each activation */
  histograms: ReadonlyMap<string, TensorHistogram>;
  /** the calibrated range of each activation */
  ranges: ReadonlyMap<string, { min: number; max: number }>;
  /** first outputs, in `qdq`, of the nodes the pass quantized (its `int8Nodes`; its Q/DQ nodes are skipped) */
  quantized: ReadonlySet<string>;
}

/** The float32 values of a constant tensor, or undefined. */
function values(t: TensorProto | undefined): Float32Array | undefined {
  if (t === undefined || t.data_location === 1) return undefined;
  if (t.data_type === OnnxDataType.FLOAT) return tensorData(t).data as Float32Array;
  if (t.data_type === OnnxDataType.INT8) return Float32Array.from(tensorData(t).data as Int8Array);
  return undefined;
}

/**
 * The first quantized nodes in graph order: what `keep_stem_nodes` keeps. Measured on PP-OCRv4 det with 8-bit
 * weights on an AVX-512 VNNI host (README, int8 section; int8Accuracy's probe), its stem holds the one node whose own
 * error stands out (its convolution 3, 0.19 relative L2 where the next worst is 0.04), and keeping convolutions 0-3
 * takes det's map IoU from 0.60 to 0.98 while keeping convolution 3 alone does nothing (0.60): the stem's errors
 * compound, and only the leading run fixes them. The profile estimate's scores are nearly flat (det's top five
 * 0.039-0.029: convolutions 2, 28, 3, 1, 36; keeping its top four gave 0.970, the fifth in place of convolution 3
 * 0.85; rec's first 0.025): the error is not the per-tensor rounding and clipping it models, so it is reported beside
 * each kept node, not used to choose.
 */
export function stemNodes(estimates: readonly NodeErrorEstimate[], count: number): NodeErrorEstimate[] {
  return estimates.slice(0, count);
}

/**
 * The estimated own error of every quantized node of `qdq`, in graph order (the int8 pass's output, before onnxruntime: its folds of
 * BatchNormalization, per-channel affines and Relu/Clip are done, so each node's output is the tensor that is really
 * quantized and its weight is the folded one, with the scale the pass chose, raised where an int32 bias needed it),
 * `settings.quantized` names the nodes to estimate (their first outputs in `qdq`).
 */
export function estimateNodeErrors(qdq: ModelProto, settings: EstimateSettings): NodeErrorEstimate[] {
  const graph = qdq.graph ?? {};
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const producer = new Map<string, NodeProto>();
  for (const n of graph.node ?? []) for (const y of n.output ?? []) if (y) producer.set(y, n);
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  const activation = (name: string | undefined): number | undefined => {
    if (!name) return undefined;
    const h = settings.histograms.get(name);
    const r = settings.ranges.get(name);
    return h === undefined || r === undefined ? undefined : relativeActivationError(h, r.min, r.max);
  };
  /** the float tensor a DequantizeLinear of an activation reads through its QuantizeLinear */
  const source = (x: string | undefined): string | undefined => {
    const d = x === undefined ? undefined : producer.get(x);
    if (d?.op_type !== 'DequantizeLinear') return undefined;
    const q = producer.get(d.input?.[0] ?? '');
    return q?.op_type === 'QuantizeLinear' ? q.input?.[0] : undefined;
  };
  const out: NodeErrorEstimate[] = [];
  for (const n of graph.node ?? []) {
    const y = n.output?.[0];
    // only named nodes: the name is how the pass is told to keep one (an output name can change when it folds)
    if (!y || !n.name || !settings.quantized.has(y) || n.op_type === 'QuantizeLinear' || n.op_type === 'DequantizeLinear') continue;
    const x = source(n.input?.[0]);
    const eIn = activation(x);
    if (x === undefined || eIn === undefined) continue;
    const eOut = outputs.has(y) ? 0 : activation(y) ?? 0;
    // the weight as the pass stored it: int8 values, per-channel (or one) scale; its error is the rounding noise of
    // that scale (step^2 / 12 per value) against the stored values' power
    let eW = 0;
    const dw = producer.get(n.input?.[1] ?? '');
    if (dw?.op_type === 'DequantizeLinear') {
      const q = values(initializers.get(dw.input?.[0] ?? ''));
      const scale = values(initializers.get(dw.input?.[1] ?? ''));
      const dims = (initializers.get(dw.input?.[0] ?? '')?.dims ?? []).map(Number);
      if (q !== undefined && scale !== undefined && scale.length > 0) {
        const axisAttr = (dw.attribute ?? []).find((a) => a.name === 'axis')?.i;
        const axis = scale.length === 1 ? undefined : Number(axisAttr ?? 1);
        const channels = axis === undefined ? 1 : dims[axis]!;
        const inner = axis === undefined ? q.length : dims.slice(axis + 1).reduce((p, d) => p * d, 1);
        let power = 0;
        let noise = 0;
        for (let i = 0; i < q.length; i++) {
          const s = scale[axis === undefined ? 0 : Math.floor(i / inner) % channels]!;
          power += (q[i]! * s) ** 2;
          noise += (s * s) / 12;
        }
        eW = power > 0 ? Math.sqrt(noise / power) : 0;
      }
    }
    out.push({ node: n.name, op: n.op_type ?? '', output: y, estimate: Math.sqrt(eIn * eIn + eW * eW + eOut * eOut), readsInput: inputs.has(x) });
  }
  return out;
}

/**
 * Fold a constant scale applied after hard-swish (`Mul(x * HardSigmoid(x), c)`, the learnable affine blocks of
 * PP-LCNetV3 that PP-OCRv4 exports after each activation) back through the hard-swish into the Conv that produces x:
 * the Conv computes c*x (weight and bias times c) into a tensor of a new name (x's name keeps its float meaning,
 * which the accuracy probes compare against), the HardSigmoid's alpha becomes alpha / c, so that it still reads
 * hs(x), and the product c*x * hs(x) is the scaled value; the Mul by c goes away.
 *
 * Why the int8 pass needs this: hard-swish and what follows it run in float between int8 convolutions, one pass over
 * a feature map per operator; PP-OCRv4 det has 24 such scales. The calibrated range of x is scaled with it, so the
 * Conv's output is quantized exactly as before, at its new magnitude. In float the fold is exact up to float32
 * rounding (alpha / c is stored as float32).
 */
import { constantTensors, floatScalar } from '../../onnx/constants.js';
import { makeTensorProto, tensorData } from '../../onnx/model.js';
import { AttributeType, OnnxDataType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';

/** A float constant holding one finite, non-zero value, or undefined. */
function scale(t: TensorProto | undefined): number | undefined {
  const value = floatScalar(t);
  return value !== undefined && Number.isFinite(value) && value !== 0 ? value : undefined;
}

/** A Conv output the fold scaled: `tensor` holds `scale` times what `source` holds in the float graph. */
export interface ScaledTensor {
  /** the Conv's new output */
  tensor: string;
  /** its output in the float graph */
  source: string;
  /** the factor */
  scale: number;
}

/**
 * Fold every `Mul(Mul(x, HardSigmoid(x)), c)` (operands in either order) into the Conv producing x, where x, the
 * gate and the product have no other reader and are not graph outputs, and no node involved is kept by the user.
 * The Conv's output gets a new name, with `ranges` set for it from `ranges[x]` when present (scaled by c; bounds
 * swapped when c < 0). New weight and bias initializers; the old constants are left for the caller's cleanup. In
 * place.
 * @param fresh returns an unused tensor name based on its argument
 * @param keep nodes the user keeps as they are
 * @param ranges calibrated ranges by tensor name, updated for each scaled Conv output
 * @returns the scaled Conv outputs, one per folded scale
 */
export function foldScaleThroughHardSwish(
  graph: GraphProto,
  fresh: (base: string) => string,
  keep: (node: NodeProto) => boolean,
  ranges: Map<string, { min: number; max: number }>,
): ScaledTensor[] {
  const consts = constantTensors(graph);
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, NodeProto[]>();
  for (const n of graph.node ?? []) {
    for (const y of n.output ?? []) if (y) producer.set(y, n);
    for (const x of n.input ?? []) if (x) readers.set(x, [...(readers.get(x) ?? []), n]);
  }
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const plain = (n: NodeProto | undefined, op: string): n is NodeProto => n !== undefined && n.op_type === op && (n.domain ?? '') === '' && !keep(n);
  const readBy = (name: string, count: number): boolean => !outputs.has(name) && (readers.get(name) ?? []).length === count;

  const removed = new Set<NodeProto>();
  const folded: ScaledTensor[] = [];
  for (const scaleMul of graph.node ?? []) {
    if (!plain(scaleMul, 'Mul') || (scaleMul.input ?? []).length !== 2 || removed.has(scaleMul)) continue;
    for (const k of [0, 1]) {
      const c = scale(consts.get(scaleMul.input![1 - k]!));
      const productName = scaleMul.input![k]!;
      const product = producer.get(productName);
      if (c === undefined || !plain(product, 'Mul') || (product.input ?? []).length !== 2 || !readBy(productName, 1)) continue;
      const [p0, p1] = product.input!;
      const gateIndex = producer.get(p0!)?.op_type === 'HardSigmoid' ? 0 : 1;
      const gateName = product.input![gateIndex]!;
      const x = product.input![1 - gateIndex]!;
      const gate = producer.get(gateName);
      if (!plain(gate, 'HardSigmoid') || gate.input?.[0] !== x || !readBy(gateName, 1) || p0 === p1) continue;
      const conv = producer.get(x);
      if (!plain(conv, 'Conv') || (conv.output ?? []).length !== 1 || !readBy(x, 2)) continue;
      const w = consts.get(conv.input?.[1] ?? '');
      if (w === undefined || w.data_type !== OnnxDataType.FLOAT || w.data_location === 1) continue;
      const bName = conv.input?.[2];
      const b = bName ? consts.get(bName) : undefined;
      if (bName && (b === undefined || b.data_type !== OnnxDataType.FLOAT || b.data_location === 1)) continue;
      const wd = tensorData(w);
      const channels = wd.dims[0]!;
      const alphaAttr = (gate.attribute ?? []).find((a) => a.name === 'alpha');
      const alpha = alphaAttr?.f ?? 0.2;  // HardSigmoid's default alpha
      const weight = Float32Array.from(wd.data as Float32Array, (v) => v * c);
      const bias = b === undefined ? undefined : Float32Array.from(tensorData(b).data as Float32Array, (v) => v * c);
      const wNew = fresh(`${conv.input![1]}_swish_scaled`);
      const added = [makeTensorProto(wNew, 'float32', wd.dims, weight)];
      let bNew: string | undefined;
      if (bias !== undefined) {
        bNew = fresh(`${bName}_swish_scaled`);
        added.push(makeTensorProto(bNew, 'float32', [channels], bias));
      }
      graph.initializer = [...(graph.initializer ?? []), ...added];
      conv.input = bNew === undefined ? [conv.input![0]!, wNew] : [conv.input![0]!, wNew, bNew];
      gate.attribute = [
        ...(gate.attribute ?? []).filter((a) => a.name !== 'alpha'),
        { name: 'alpha', type: AttributeType.FLOAT, f: alpha / c },
      ];
      const scaled = fresh(`${x}_swish_scaled`);
      conv.output = [scaled];
      gate.input = [scaled, ...(gate.input ?? []).slice(1)];
      product.input = product.input!.map((name) => (name === x ? scaled : name));
      product.output = [scaleMul.output![0]!];
      removed.add(scaleMul);
      const range = ranges.get(x);
      if (range !== undefined) {
        const [lo, hi] = [range.min * c, range.max * c];
        ranges.set(scaled, { ...range, min: Math.min(lo, hi), max: Math.max(lo, hi) });
      }
      folded.push({ tensor: scaled, source: x, scale: c });
      break;
    }
  }
  if (removed.size > 0) graph.node = (graph.node ?? []).filter((n) => !removed.has(n));
  return folded;
}

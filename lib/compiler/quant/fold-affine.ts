/**
 * Fold a per-channel affine that follows a Conv (a `Mul` by a constant scale, then an `Add` of a constant shift, as
 * re-parameterized blocks such as PP-OCRv4's MobileOne layers export them) into the Conv's weight and bias.
 *
 * Why the int8 pass needs this: the Conv's output is quantized with one scale per tensor, and a per-channel scale
 * applied after it multiplies each channel's quantization error by that channel's factor; channels whose values are
 * small before a large factor lose all their precision (PP-OCRv4 det's second 1x1 Conv alone took the map's
 * relative error to 0.5). Folded, the output is quantized at its final magnitude. In float the fold is exact up to
 * float32 rounding.
 */
import { constantTensors } from '../../onnx/constants.js';
import { makeTensorProto, tensorData } from '../../onnx/model.js';
import { OnnxDataType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';

/** The values of a constant as one factor per channel (C of them), when its shape broadcasts that way on NCHW. */
function perChannel(t: TensorProto | undefined, channels: number, rank: number): Float32Array | undefined {
  if (t === undefined || t.data_type !== OnnxDataType.FLOAT || t.data_location === 1) return undefined;
  const { dims, data } = tensorData(t);
  const values = data as Float32Array;
  if (values.length === 1) return new Float32Array(channels).fill(values[0]!);
  if (values.length !== channels) return undefined;
  // [C, 1, 1] (rank-1 shorter than the output) or [1, C, 1, 1]: the channel axis must line up with axis 1
  const aligned = [...Array(Math.max(0, rank - dims.length)).fill(1), ...dims];
  if (aligned.length !== rank || aligned[1] !== channels || aligned.some((d, i) => i !== 1 && d !== 1)) return undefined;
  return values;
}

/**
 * Fold every Conv -> Mul(constant) [-> Add(constant)] chain whose intermediate values have no other reader into the
 * Conv (new weight and bias initializers; the old constants are left for the caller's cleanup). In place.
 * @param fresh returns an unused tensor name based on its argument
 * @param keep nodes the user keeps as they are
 * @param rankOf the rank of a Conv's output (its input's rank)
 * @returns how many Mul/Add nodes were folded
 */
export function foldAffineIntoConv(graph: GraphProto, fresh: (base: string) => string, keep: (node: NodeProto) => boolean, rankOf: (conv: NodeProto) => number | undefined): number {
  const consts = constantTensors(graph);
  const readers = new Map<string, NodeProto[]>();
  for (const n of graph.node ?? []) for (const x of n.input ?? []) if (x) readers.set(x, [...(readers.get(x) ?? []), n]);
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const removed = new Set<NodeProto>();
  let folded = 0;
  for (const conv of graph.node ?? []) {
    if (conv.op_type !== 'Conv' || (conv.domain ?? '') !== '' || keep(conv) || removed.has(conv)) continue;
    const w = consts.get(conv.input?.[1] ?? '');
    if (w === undefined || w.data_type !== OnnxDataType.FLOAT || w.data_location === 1) continue;
    const wd = tensorData(w);
    const channels = wd.dims[0]!;
    const rank = rankOf(conv);
    if (rank === undefined) continue;
    const bName = conv.input?.[2];
    const b = bName ? consts.get(bName) : undefined;
    if (bName && (b === undefined || b.data_type !== OnnxDataType.FLOAT)) continue;
    let weight = wd.data as Float32Array;
    let bias = b === undefined ? new Float32Array(channels) : (tensorData(b).data as Float32Array);
    let out = conv.output?.[0] ?? '';
    let changed = false;
    for (const op of ['Mul', 'Add'] as const) {
      const rs = readers.get(out) ?? [];
      if (rs.length !== 1 || outputs.has(out)) break;
      const next = rs[0]!;
      if (next.op_type !== op || (next.domain ?? '') !== '' || keep(next) || (next.input ?? []).length !== 2) break;
      const other = next.input![0] === out ? next.input![1]! : next.input![0]!;
      const values = perChannel(consts.get(other), channels, rank);
      if (values === undefined) break;
      const inner = weight.length / channels;
      if (op === 'Mul') {
        weight = Float32Array.from(weight, (v, i) => v * values[Math.floor(i / inner)]!);
        bias = Float32Array.from(bias, (v, c) => v * values[c]!);
      } else {
        bias = Float32Array.from(bias, (v, c) => v + values[c]!);
      }
      removed.add(next);
      out = next.output![0]!;
      folded++;
      changed = true;
    }
    if (!changed) continue;
    const wNew = fresh(`${conv.input![1]}_folded`);
    const bNew = fresh(`${bName ?? `${conv.name ?? 'conv'}_bias`}_folded`);
    graph.initializer = [...(graph.initializer ?? []), makeTensorProto(wNew, 'float32', wd.dims, weight), makeTensorProto(bNew, 'float32', [channels], bias)];
    conv.input = [conv.input![0]!, wNew, bNew];
    conv.output = [out];
  }
  if (removed.size > 0) graph.node = (graph.node ?? []).filter((n) => !removed.has(n));
  return folded;
}

/**
 * Fold inference-mode BatchNormalization into the Conv that feeds it, in float32, before the float16 conversion.
 *
 * Why the float16 pass needs this: onnxruntime folds Conv+BatchNormalization itself when it optimizes the graph,
 * but it does so after the conversion, multiplying float16 weights by float32 statistics; the products are no
 * longer float16 values, so the compiled program has to store them as float32 (the mobile classifier's program
 * kept 0.76x of its weight bytes instead of 0.5x). Folding first, as the device compiler does, gives weights that
 * are rounded once, to float16, and stay float16 through optimization. It also rounds less: one rounding of the
 * folded weight instead of a rounding of the weight and of the BatchNormalization parameters.
 */
import { constantTensors } from '../../onnx/constants.js';
import { makeTensorProto, tensorData } from '../../onnx/model.js';
import { OnnxDataType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';

function floats(t: TensorProto | undefined): { dims: number[]; data: Float32Array } | undefined {
  if (t === undefined || t.data_type !== OnnxDataType.FLOAT || t.data_location === 1) return undefined;
  const { dims, data } = tensorData(t);
  return { dims, data: data as Float32Array };
}

/**
 * Fold every Conv -> BatchNormalization pair whose parameters are all constants into the Conv (new weight and bias
 * initializers; the old ones are left for the caller's cleanup of unread initializers). Modifies `graph` in place.
 *
 * @param fresh returns an unused tensor name based on its argument
 * @param keep nodes the user keeps in float32: pairs involving them stay as they are
 * @returns how many BatchNormalization nodes were folded
 */
export function foldBatchNormIntoConv(graph: GraphProto, fresh: (base: string) => string, keep: (node: NodeProto) => boolean = () => false): number {
  const nodes = graph.node ?? [];
  const consts = constantTensors(graph);
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const removed = new Set<NodeProto>();
  const added: TensorProto[] = [];
  for (const bn of nodes) {
    if (bn.op_type !== 'BatchNormalization' || (bn.domain ?? '') !== '' || keep(bn)) continue;
    const attrs = new Map((bn.attribute ?? []).map((a) => [a.name, a]));
    if (Number(attrs.get('training_mode')?.i ?? 0) !== 0) continue;
    if ((bn.output ?? []).filter((o) => o !== '').length !== 1) continue;
    const [x, scaleName, biasName, meanName, varName] = bn.input ?? [];
    const conv = x === undefined ? undefined : producer.get(x);
    if (conv === undefined || conv.op_type !== 'Conv' || (conv.domain ?? '') !== '' || keep(conv) || readers.get(x!) !== 1 || outputs.has(x)) continue;
    const w = floats(consts.get(conv.input?.[1] ?? ''));
    const b = conv.input?.[2] ? floats(consts.get(conv.input[2])) : undefined;
    if (conv.input?.[2] && b === undefined) continue;
    const [scale, shift, mean, variance] = [scaleName, biasName, meanName, varName].map((n) => floats(consts.get(n ?? '')));
    if (w === undefined || scale === undefined || shift === undefined || mean === undefined || variance === undefined) continue;
    const channels = w.dims[0]!;
    if ([scale, shift, mean, variance].some((p) => p.data.length !== channels)) continue;
    const epsilon = attrs.get('epsilon')?.f ?? 1e-5;
    const perChannel = w.data.length / channels;
    const newW = new Float32Array(w.data.length);
    const newB = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      // float64 arithmetic, one rounding to float32 at the end
      const factor = scale.data[c]! / Math.sqrt(variance.data[c]! + Math.fround(epsilon));
      for (let k = 0; k < perChannel; k++) newW[c * perChannel + k] = w.data[c * perChannel + k]! * factor;
      newB[c] = ((b?.data[c] ?? 0) - mean.data[c]!) * factor + shift.data[c]!;
    }
    const wName = fresh(`${conv.input![1]}__bn_folded`);
    const bName = fresh(`${conv.name || conv.input![1]}__bn_folded_bias`);
    added.push(makeTensorProto(wName, 'float32', w.dims, newW), makeTensorProto(bName, 'float32', [channels], newB));
    conv.input = [conv.input![0]!, wName, bName];
    conv.output = [bn.output!.find((o) => o !== '')!];
    removed.add(bn);
  }
  if (removed.size === 0) return 0;
  graph.node = nodes.filter((n) => !removed.has(n));
  graph.initializer = [...(graph.initializer ?? []), ...added];
  return removed.size;
}

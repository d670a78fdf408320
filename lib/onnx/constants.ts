/**
 * The constant tensors of a graph, by value name: its initializers and the outputs of its `Constant` nodes (the
 * `value` form). Graph passes that fold arithmetic into weights (float16's BatchNormalization fold, int8's affine
 * fold) read constants this way whichever form the exporter chose.
 */
import { tensorData } from './model.js';
import { OnnxDataType, type GraphProto, type TensorProto } from './schema.js';

/** Each constant value of `graph` by name: initializers, then default-domain `Constant` nodes' `value` tensors. */
export function constantTensors(graph: GraphProto): Map<string, TensorProto> {
  const out = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) out.set(t.name, t);
  for (const n of graph.node ?? []) {
    if (n.op_type !== 'Constant' || (n.domain ?? '') !== '') continue;
    const t = (n.attribute ?? []).find((a) => a.name === 'value')?.t;
    if (t !== undefined && n.output?.[0]) out.set(n.output[0], t);
  }
  return out;
}

/**
 * The value of a float32 constant of one element (any shape), or undefined for anything else: another dtype, more
 * elements, data stored outside the model. Throws `QAIC_MODEL_INVALID` (from `tensorData`) for a malformed tensor.
 */
export function floatScalar(t: TensorProto | undefined): number | undefined {
  if (t === undefined || t.data_type !== OnnxDataType.FLOAT || t.data_location === 1) return undefined;
  const data = tensorData(t).data as Float32Array;
  return data.length === 1 ? data[0] : undefined;
}

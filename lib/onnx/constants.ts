/**
 * The constant tensors of a graph, by value name: its initializers and the outputs of its `Constant` nodes (the
 * `value` form). Graph passes that fold arithmetic into weights (float16's BatchNormalization fold, int8's affine
 * fold) read constants this way whichever form the exporter chose.
 */
import type { GraphProto, TensorProto } from './schema.js';

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

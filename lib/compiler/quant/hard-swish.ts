/**
 * Rewrite hard-swish as exporters write it below opset 14, `x * Clip(x + 3, 0, 6) / 6` (four elementwise passes:
 * Add, Clip, Mul, Div), into `x * HardSigmoid(x)` with alpha 1/6 and beta 0.5 (two passes), which is the same
 * function: HardSigmoid computes max(0, min(1, x / 6 + 0.5)), that is Clip(x + 3, 0, 6) / 6.
 *
 * Why the int8 pass needs this: hard-swish runs in float between int8 convolutions (onnxruntime has no int8 kernel
 * for it), so its passes over full feature maps are a large part of what an int8 program still spends in float.
 * PP-OCRv4 det has 24 of them. The float32 pass leaves the graph as exported (its programs match plain onnxruntime
 * bit for bit); in the int8 pass outputs already differ from float32, and this rewrite differs by float32 rounding
 * (the division by 6 becomes a multiplication by alpha, about 1 ulp).
 */
import { constantTensors, floatScalar } from '../../onnx/constants.js';
import { AttributeType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';

/** Clip's bounds: inputs 1 and 2 from opset 11, the `min`/`max` attributes before; undefined when not constant. */
function clipBounds(clip: NodeProto, consts: ReadonlyMap<string, TensorProto>): { lo: number; hi: number } | undefined {
  const fromInput = (k: number, fallback: number): number | undefined => {
    const name = clip.input?.[k];
    return name ? floatScalar(consts.get(name)) : fallback;
  };
  const attr = (name: string): number | undefined => (clip.attribute ?? []).find((a) => a.name === name)?.f;
  const lo = (clip.input ?? []).length > 1 ? fromInput(1, -Infinity) : attr('min') ?? -Infinity;
  const hi = (clip.input ?? []).length > 2 ? fromInput(2, Infinity) : attr('max') ?? Infinity;
  return lo === undefined || hi === undefined ? undefined : { lo, hi };
}

/**
 * Replace every `Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)` whose intermediate values have no other reader and are not
 * graph outputs by `Mul(x, HardSigmoid(x, alpha=1/6, beta=0.5))`; the Div's output name is kept, so what reads it
 * (and any calibration range recorded for it) is unchanged. Operands may come in either order. In place.
 * @param fresh returns an unused tensor name based on its argument
 * @param keep nodes the user keeps as they are (a pattern with any of them is left alone)
 * @returns how many hard-swish patterns were rewritten
 */
export function fuseHardSwish(graph: GraphProto, fresh: (base: string) => string, keep: (node: NodeProto) => boolean): number {
  const consts = constantTensors(graph);
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, number>();
  for (const n of graph.node ?? []) {
    for (const y of n.output ?? []) if (y) producer.set(y, n);
    for (const x of n.input ?? []) if (x) readers.set(x, (readers.get(x) ?? 0) + 1);
  }
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  // an intermediate value of the pattern: read once (by the pattern's next node) and not a graph output
  const inner = (name: string | undefined): boolean => name !== undefined && readers.get(name) === 1 && !outputs.has(name);
  const plain = (n: NodeProto | undefined, op: string): n is NodeProto => n !== undefined && n.op_type === op && (n.domain ?? '') === '' && !keep(n);
  const other = (n: NodeProto, known: string): string | undefined => {
    const [a, b] = n.input ?? [];
    if ((n.input ?? []).length !== 2) return undefined;
    return a === known ? b : b === known ? a : undefined;
  };

  const replaced = new Map<NodeProto, NodeProto[]>();
  const removed = new Set<NodeProto>();
  for (const div of graph.node ?? []) {
    if (!plain(div, 'Div') || (div.input ?? []).length !== 2 || floatScalar(consts.get(div.input![1]!)) !== 6) continue;
    const mul = producer.get(div.input![0]!);
    if (!plain(mul, 'Mul') || !inner(mul.output?.[0])) continue;
    // Mul(x, clip) or Mul(clip, x): try each operand as the Clip's output
    for (const clipOut of mul.input ?? []) {
      const clip = producer.get(clipOut);
      if (!plain(clip, 'Clip') || !inner(clipOut)) continue;
      const x = other(mul, clipOut);
      const bounds = clipBounds(clip, consts);
      if (x === undefined || x === clipOut || bounds === undefined || bounds.lo !== 0 || bounds.hi !== 6) continue;
      const add = producer.get(clip.input?.[0] ?? '');
      if (!plain(add, 'Add') || !inner(add.output?.[0])) continue;
      const three = other(add, x);
      if (three === undefined || floatScalar(consts.get(three)) !== 3) continue;
      if ([add, clip, mul, div].some((n) => removed.has(n))) continue;
      const gate = fresh(`${div.output![0]}_hard_sigmoid`);
      const base = div.name || div.output![0]!;
      const hardSigmoid: NodeProto = {
        op_type: 'HardSigmoid', name: fresh(`${base}_hard_sigmoid`), input: [x], output: [gate],
        attribute: [{ name: 'alpha', type: AttributeType.FLOAT, f: 1 / 6 }, { name: 'beta', type: AttributeType.FLOAT, f: 0.5 }],
      };
      const product: NodeProto = { op_type: 'Mul', name: fresh(`${base}_hard_swish`), input: [x, gate], output: [div.output![0]!] };
      for (const n of [add, clip, mul]) removed.add(n);
      removed.add(div);
      replaced.set(div, [hardSigmoid, product]);
      break;
    }
  }
  if (replaced.size === 0) return 0;
  // the new nodes take the Div's place: x is produced before the Add that read it, so before the Div too
  graph.node = (graph.node ?? []).flatMap((n) => replaced.get(n) ?? (removed.has(n) ? [] : [n]));
  return replaced.size;
}

/**
 * The float16 precision pass (`convert_to_fp16`): rewrite a float32 model so that its weights are stored as
 * float16 and its activations travel in float16, as the Cloud AI device computes, while the model still runs on
 * onnxruntime's CPU provider.
 *
 * How the graph is rewritten (see `kernels.ts` for which operators have float16 CPU kernels):
 * - Operators with a float16 kernel take float16 inputs and produce float16 outputs.
 * - Other operators are wrapped: their float16 inputs are widened with `Cast(to=float)` and they compute in
 *   float32. Their float32 outputs go straight to the next float32 operator, and through `Cast(to=float16)` to the
 *   next float16 one. With `roundActivations` every activation is rounded to float16 between any two operators,
 *   as on a device that stores all activations in float16 (more casts, larger and more pessimistic error).
 * - Float32 weights feeding any converted node are stored as float16 initializers. When such a node computes in
 *   float32, the weight reaches it through a `Cast(to=float)`; onnxruntime's constant folding turns that into a
 *   float32 tensor in memory when the session loads (at any optimization level but 'disabled'). Saving a model
 *   optimized after this pass would store those folded float32 weights: `storeWeightsAsFloat16` (store-weights.ts)
 *   turns them back into float16, losslessly, and the compiler runs it on the optimized graph.
 * - BatchNormalization is folded into the Conv before it, in float32, before any rounding (fold-batchnorm.ts).
 * - Graph inputs and outputs keep float32 unless `io: 'float16'` is asked for.
 * - Nodes stay float32 (inputs widened, weights kept at full precision) when the user lists their name or operator
 *   type (the SDK's `keep_original_precision_for_nodes`), when they compute shapes or sizes, when the types of their
 *   inputs cannot be derived (custom domains, local functions), or when they carry subgraphs (If/Loop/Scan: the
 *   bodies are left untouched in float32, and outer values they read are handed to them in float32).
 */
import { QaicError, describeValue } from '../../errors.js';
import { makeTensorProto, opsetVersion, tensorData, tensorDataBytes } from '../../onnx/model.js';
import {
  AttributeType, OnnxDataType,
  type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from '../../onnx/schema.js';
import { float32ToFloat16Array, type HalfConversionStats } from './half.js';
import { ALWAYS_FLOAT32, DATA_INPUTS, SHAPE_INPUTS, hasFp16Kernel } from './kernels.js';
import { foldBatchNormIntoConv } from './fold-batchnorm.js';
import { inferElementTypes } from './types.js';

const FLOAT = OnnxDataType.FLOAT;
const FLOAT16 = OnnxDataType.FLOAT16;

/** Options of {@link convertToFp16}. */
export interface Fp16Options {
  /**
   * Node names or operator types that keep float32 (the SDK's `keep_original_precision_for_nodes`). A node matches
   * when its name or its op type is listed. Default: none.
   */
  keepOriginalPrecisionFor?: readonly string[];
  /**
   * Clip constants beyond the float16 range to +-65504 instead of letting them become +-infinity (what the SDK
   * recipes' `fix_onnx_fp16` helper does). Default: false.
   */
  clip?: boolean;
  /**
   * Element type of the graph inputs and outputs. Default `'float32'`: callers feed and read float32, as with the
   * SDK's default I/O; `'float16'` makes them float16 (fed and read as `Uint16Array` bits).
   */
  io?: 'float32' | 'float16';
  /**
   * Round every activation to float16 between operators, also between consecutive operators that the CPU computes
   * in float32, as a device that stores every activation in float16 would. This is the pessimistic estimate (on
   * PP-OCRv4 det and a synthetic page: relative L2 error 1.3e-2 instead of 4.2e-3) and costs about three times as
   * many casts. Default false: float32-only operators pass float32 values to each other, and values are float16
   * wherever an operator with a float16 kernel reads or writes them, and in every stored weight.
   */
  roundActivations?: boolean;
  /**
   * First output names of the nodes of an int8 program that must stay float32: its QuantizeLinear/DequantizeLinear
   * nodes and the nodes between them, which onnxruntime fuses into int8 kernels only when they are float32 (its QDQ
   * selectors check the float type). The compiler passes them when `convert_to_fp16` is combined with int8
   * quantization, so that only the program's float parts become float16. Reported with reason `'int8'`. Default: none.
   */
  int8Nodes?: readonly string[];
}

/** A constant whose values did not fit float16. */
export interface Fp16TensorIssue {
  /** initializer or Constant output name */
  tensor: string;
  /** element count of the tensor */
  elements: number;
  /** finite values beyond +-65504: became +-infinity, or +-65504 when `clip` is on */
  overflow: number;
  /** non-zero values that became zero (|v| < 2^-25) */
  underflow: number;
  /** non-zero values now stored as float16 subnormals (|v| < 2^-14, fewer than 11 significant bits) */
  subnormal: number;
  /** largest finite magnitude in the float32 tensor */
  maxAbs: number;
  /** whether the overflowing values were clipped to +-65504 (the `clip` option) rather than left as +-infinity */
  clipped: boolean;
}

/**
 * Why a node stayed float32: `'user'` it is listed in `keepOriginalPrecisionFor`; `'shape'` it computes shapes or
 * sizes; `'unknown-type'` the element types of its inputs cannot be derived (custom domain, local function);
 * `'subgraph'` it carries subgraphs (If/Loop/Scan); `'int8'` it belongs to an int8 program's quantized part
 * ({@link Fp16Options.int8Nodes}); `'always-float32'` its operator is never converted (random generators, `Range`, `NonMaxSuppression`, `EyeLike`: their
 * results depend on float32 arithmetic or carry no precision to save).
 */
export type KeepReason = 'user' | 'shape' | 'unknown-type' | 'subgraph' | 'always-float32' | 'int8';

/** What {@link convertToFp16} did. Plain JSON, kept in the program's compile report. */
export interface Fp16Report {
  /** nodes of the main graph before the pass (inserted casts not counted) */
  nodes: number;
  /** BatchNormalization nodes folded into the Conv before them (in float32, before rounding to float16) */
  batchNormsFolded: number;
  /** nodes computing natively in float16, by op type */
  float16Ops: Record<string, number>;
  /** converted nodes that compute in float32 between casts (no float16 CPU kernel), by op type */
  float32Ops: Record<string, number>;
  /** nodes that stayed float32, with the reason */
  keptNodes: Array<{
    /** node name (may be empty: ONNX node names are optional) */
    name: string;
    /** ONNX operator type, e.g. `'Shape'` */
    opType: string;
    /** why the node was kept */
    reason: KeepReason;
  }>;
  /** Cast nodes the pass added */
  castsInserted: number;
  /** initializers and Constant tensors stored as float16 */
  constantsConverted: number;
  /** bytes of all main-graph initializers before the pass */
  initializerBytesBefore: number;
  /** bytes of all main-graph initializers after the pass */
  initializerBytesAfter: number;
  /** bytes of all main-graph constants (initializers and Constant node tensors: many exporters use the latter) before the pass */
  weightBytesBefore: number;
  /** bytes of all main-graph constants after the pass */
  weightBytesAfter: number;
  /** constants with overflow or underflow, largest problem first */
  tensorIssues: Fp16TensorIssue[];
  /** SDK-style warning lines, one per tensor with overflow or underflow */
  warnings: string[];
  /** entries of `keepOriginalPrecisionFor` that matched no node name or op type (likely typos) */
  unmatchedKeep: string[];
  /** the options the pass ran with, defaults filled in */
  options: {
    /** {@link Fp16Options.clip} */
    clip: boolean;
    /** {@link Fp16Options.io} */
    io: 'float32' | 'float16';
    /** {@link Fp16Options.roundActivations} */
    roundActivations: boolean;
    /** {@link Fp16Options.keepOriginalPrecisionFor} (empty when none) */
    keepOriginalPrecisionFor: string[];
  };
}

interface Versions {
  /** the float32 value as its producer computed it (never rounded) */
  raw?: string;
  /** float16 version */
  f16?: string;
  /** float32 version carrying float16 precision (the widened float16 value) */
  f32?: string;
}

interface ConstSource {
  tensor: TensorProto;
  /** the original Constant node, when the constant came from one (emitted only if its float32 value is used) */
  node?: NodeProto;
  isInitializer: boolean;
  emittedOriginal: boolean;
}

function validateOptions(options: Fp16Options): Required<Fp16Options> {
  const int8Nodes = options.int8Nodes ?? [];
  if (!Array.isArray(int8Nodes) || int8Nodes.some((k) => typeof k !== 'string')) {
    throw new QaicError('QAIC_INVALID_OPTION', `fp16 int8Nodes must be a list of node output names (strings), got ${describeValue(int8Nodes)}`, { details: { option: 'int8Nodes' } });
  }
  const keep = options.keepOriginalPrecisionFor ?? [];
  if (!Array.isArray(keep) || keep.some((k) => typeof k !== 'string')) {
    throw new QaicError('QAIC_INVALID_OPTION', `keep_original_precision_for_nodes must be a list of node names or op types (strings), got ${describeValue(keep)}`, {
      details: { option: 'keep_original_precision_for_nodes' },
    });
  }
  if (options.clip !== undefined && typeof options.clip !== 'boolean') {
    throw new QaicError('QAIC_INVALID_OPTION', `fp16 clip must be a boolean, got ${describeValue(options.clip)}`, { details: { option: 'clip' } });
  }
  if (options.io !== undefined && options.io !== 'float32' && options.io !== 'float16') {
    throw new QaicError('QAIC_INVALID_OPTION', `fp16 io must be 'float32' or 'float16', got ${describeValue(options.io)}`, { details: { option: 'io' } });
  }
  if (options.roundActivations !== undefined && typeof options.roundActivations !== 'boolean') {
    throw new QaicError('QAIC_INVALID_OPTION', `fp16 roundActivations must be a boolean, got ${describeValue(options.roundActivations)}`, {
      details: { option: 'roundActivations' },
    });
  }
  return { keepOriginalPrecisionFor: keep, clip: options.clip ?? false, io: options.io ?? 'float32', roundActivations: options.roundActivations ?? false, int8Nodes };
}

function graphAttributes(node: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of node.attribute ?? []) {
    if (a.g !== undefined) out.push(a.g);
    for (const g of a.graphs ?? []) out.push(g);
  }
  return out;
}

/** Names a graph reads from its enclosing scopes (used but not defined inside it, recursively). */
export function outerReferences(graph: GraphProto): Set<string> {
  const defined = new Set<string>();
  for (const i of graph.input ?? []) if (i.name) defined.add(i.name);
  for (const i of graph.initializer ?? []) if (i.name) defined.add(i.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) defined.add(o);
  const used = new Set<string>();
  for (const n of graph.node ?? []) {
    for (const i of n.input ?? []) if (i && !defined.has(i)) used.add(i);
    for (const g of graphAttributes(n)) for (const r of outerReferences(g)) if (!defined.has(r)) used.add(r);
  }
  for (const o of graph.output ?? []) if (o.name && !defined.has(o.name)) used.add(o.name);
  return used;
}

/** Rename reads of outer names inside a subgraph (respecting names the subgraph defines itself). */
function renameOuterReferences(graph: GraphProto, renames: ReadonlyMap<string, string>): void {
  const defined = new Set<string>();
  for (const i of graph.input ?? []) if (i.name) defined.add(i.name);
  for (const i of graph.initializer ?? []) if (i.name) defined.add(i.name);
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) defined.add(o);
  const active = new Map([...renames].filter(([from]) => !defined.has(from)));
  if (active.size === 0) return;
  for (const n of graph.node ?? []) {
    n.input = (n.input ?? []).map((i) => active.get(i) ?? i);
    for (const g of graphAttributes(n)) renameOuterReferences(g, active);
  }
  for (const o of graph.output ?? []) if (o.name && active.has(o.name)) {
    // A subgraph output that is an outer value directly: pass it through an Identity so the output keeps its name.
    const source = active.get(o.name)!;
    (graph.node ??= []).push({ op_type: 'Identity', input: [source], output: [o.name], name: `${o.name}__outer` });
  }
}

function isFloat16Kernel(node: NodeProto, opset: number): boolean {
  return hasFp16Kernel(node.op_type ?? '', node.domain ?? '', opset);
}

function dataPositions(opType: string, count: number): Set<number> {
  const listed = DATA_INPUTS[opType];
  if (listed !== undefined) return new Set(listed);
  const shape = new Set(SHAPE_INPUTS[opType] ?? []);
  return new Set(Array.from({ length: count }, (_, k) => k).filter((k) => !shape.has(k)));
}

/** Bytes of a graph's constants: initializers plus the tensors held by Constant nodes. */
function weightBytes(graph: GraphProto): number {
  let n = (graph.initializer ?? []).reduce((sum, t) => sum + tensorDataBytes(t), 0);
  for (const node of graph.node ?? []) {
    if (node.op_type !== 'Constant') continue;
    const t = (node.attribute ?? []).find((a) => a.name === 'value')?.t;
    if (t !== undefined) n += tensorDataBytes(t);
  }
  return n;
}

/** The SDK compiler's warning for a tensor whose values leave the float16 range. */
export function sdkWarning(issue: Fp16TensorIssue): string {
  const parts: string[] = [];
  if (issue.underflow > 0) parts.push(`WARNING: ${issue.tensor} contains value or values that will underflow after conversion to 16-bit floating point values.`);
  if (issue.overflow > 0) {
    parts.push(`WARNING: ${issue.tensor} contains value or values that will overflow after conversion to 16-bit floating point values`
      + (issue.clipped ? ' (clipped to +-65504).' : '.'));
  }
  return parts.join('\n');
}

/**
 * Convert a float32 model to float16 weights and computation (see the module comment for the rewrite rules).
 * The input model is not modified.
 *
 * Python parity: the SDK's `convert_to_fp16=True` / `-convert-to-fp16`, with `keep_original_precision_for_nodes`
 * mapped to `keepOriginalPrecisionFor`. The SDK prints its underflow warning; here the same lines are in
 * `report.warnings` for the caller (qaic-exec prints them).
 *
 * @throws QaicError `QAIC_INVALID_OPTION` for malformed options; `QAIC_MODEL_INVALID` for a model without a graph
 *   or with a float32 constant whose data cannot be read (external data must be resolved first).
 */
export function convertToFp16(model: ModelProto, options: Fp16Options = {}): {
  /** the converted model (a new object) */
  model: ModelProto;
  /** what the pass did, for the compile report */
  report: Fp16Report;
} {
  const opts = validateOptions(options);
  if (model.graph === undefined) {
    throw new QaicError('QAIC_MODEL_INVALID', 'convertToFp16 expected an ONNX model with a graph; the model has none');
  }
  // Work on a structural copy: the caller's model (often the float32 program being compiled alongside) stays intact.
  const out: ModelProto = structuredClone(model);
  const graph = out.graph!;
  const opset = opsetVersion(out, '') ?? 1;
  const keepSet = new Set(opts.keepOriginalPrecisionFor);
  const usedNames = new Set<string>();
  const noteNames = (g: GraphProto) => {
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]) if (v.name) usedNames.add(v.name);
    for (const t of g.initializer ?? []) if (t.name) usedNames.add(t.name);
    for (const n of g.node ?? []) {
      for (const x of [...(n.input ?? []), ...(n.output ?? [])]) if (x) usedNames.add(x);
      if (n.name) usedNames.add(n.name);
      for (const sub of graphAttributes(n)) noteNames(sub);
    }
  };
  noteNames(graph);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; usedNames.has(name); k++) name = `${base}_${k}`;
    usedNames.add(name);
    return name;
  };

  const userKept = (n: NodeProto) => (n.name !== undefined && keepSet.has(n.name)) || keepSet.has(n.op_type ?? '');
  // Fold BatchNormalization into Conv first, in float32 (see fold-batchnorm.ts). IR < 4 graphs list initializers
  // as inputs, which new initializers would also need: they are left unfolded.
  const before = { nodes: (graph.node ?? []).length, weights: weightBytes(graph), initializers: (graph.initializer ?? []).reduce((n, t) => n + tensorDataBytes(t), 0) };
  const batchNormsFolded = Number(out.ir_version ?? 0) >= 4 ? foldBatchNormIntoConv(graph, fresh, userKept) : 0;
  const matchedKeep = new Set<string>();
  const nodes = graph.node ?? [];
  const types = inferElementTypes(graph);
  const isFloat = (name: string) => name !== '' && types.get(name) === FLOAT;

  const report: Fp16Report = {
    nodes: before.nodes, batchNormsFolded, float16Ops: {}, float32Ops: {}, keptNodes: [], castsInserted: 0, constantsConverted: 0,
    initializerBytesBefore: before.initializers, initializerBytesAfter: 0,
    weightBytesBefore: before.weights, weightBytesAfter: 0,
    tensorIssues: [], warnings: [], unmatchedKeep: [],
    options: { clip: opts.clip, io: opts.io, roundActivations: opts.roundActivations, keepOriginalPrecisionFor: [...keepSet] },
  };

  // --- which nodes stay float32 -------------------------------------------------------------------------------
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const kept = new Map<NodeProto, KeepReason>();
  const int8Nodes = new Set(opts.int8Nodes);
  for (const n of nodes) {
    const op = n.op_type ?? '';
    if (int8Nodes.has(n.output?.[0] ?? '')) { kept.set(n, 'int8'); continue; }
    if (n.name !== undefined && keepSet.has(n.name)) { kept.set(n, 'user'); matchedKeep.add(n.name); continue; }
    if (keepSet.has(op)) { kept.set(n, 'user'); matchedKeep.add(op); continue; }
    if (graphAttributes(n).length > 0) { kept.set(n, 'subgraph'); continue; }
    if (ALWAYS_FLOAT32.has(op)) { kept.set(n, 'always-float32'); continue; }
    const names = [...(n.input ?? []), ...(n.output ?? [])].filter((x) => x !== '');
    if (names.some((x) => types.get(x) === undefined)) kept.set(n, 'unknown-type');
  }
  // Shape computation: walk back from every shape/size/axes input to the nodes that compute it.
  const stack: string[] = [];
  for (const n of nodes) for (const k of SHAPE_INPUTS[n.op_type ?? ''] ?? []) { const x = n.input?.[k]; if (x) stack.push(x); }
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const p = producer.get(name);
    if (p === undefined) continue;
    if (!kept.has(p)) kept.set(p, 'shape');
    // The values of Shape/Size inputs do not matter, only their shapes: the walk stops there.
    if (p.op_type === 'Shape' || p.op_type === 'Size') continue;
    for (const i of p.input ?? []) if (i) stack.push(i);
  }
  report.unmatchedKeep = [...keepSet].filter((k) => !matchedKeep.has(k));

  // --- tensor versions and constants --------------------------------------------------------------------------
  const versions = new Map<string, Versions>();
  const consts = new Map<string, ConstSource>();
  for (const t of graph.initializer ?? []) if (t.name && t.data_type === FLOAT) consts.set(t.name, { tensor: t, isInitializer: true, emittedOriginal: true });
  const newNodes: NodeProto[] = [];
  const newInitializers: TensorProto[] = [];
  const initializerInputs = new Set((graph.input ?? []).map((i) => i.name));
  const extraInputs: ValueInfoProto[] = [];

  const emitCast = (input: string, to: number, output: string) => {
    newNodes.push({ op_type: 'Cast', input: [input], output: [output], name: fresh(`${output}__cast`), attribute: [{ name: 'to', type: AttributeType.INT, i: to }] });
    report.castsInserted++;
  };

  const fp16Constant = (name: string, source: ConstSource): string => {
    let data;
    try {
      data = tensorData(source.tensor);
    } catch (error) {
      throw new QaicError('QAIC_MODEL_INVALID', `convertToFp16 cannot read float32 constant '${name}': ${(error as Error).message}`, { cause: error });
    }
    const { bits, stats } = float32ToFloat16Array(data.data as Float32Array, opts.clip);
    noteStats(name, data.data.length, stats);
    const f16Name = fresh(`${name}__fp16`);
    const tensor = makeTensorProto(f16Name, 'float16', data.dims, bits);
    report.constantsConverted++;
    if (source.isInitializer) {
      newInitializers.push(tensor);
      if (initializerInputs.has(name)) extraInputs.push({ name: f16Name, type: { tensor_type: { elem_type: FLOAT16, shape: { dim: data.dims.map((d) => ({ dim_value: d })) } } } });
    } else {
      newNodes.push({ op_type: 'Constant', input: [], output: [f16Name], name: fresh(`${f16Name}__const`), attribute: [{ name: 'value', type: AttributeType.TENSOR, t: tensor }] });
    }
    return f16Name;
  };

  const noteStats = (name: string, elements: number, stats: HalfConversionStats) => {
    if (stats.overflow === 0 && stats.underflow === 0) return;
    report.tensorIssues.push({ tensor: name, elements, overflow: stats.overflow, underflow: stats.underflow, subnormal: stats.subnormal, maxAbs: stats.maxAbs, clipped: opts.clip && stats.overflow > 0 });
  };

  /** The float16 version of a float tensor, creating it on first use. */
  const asF16 = (name: string): string => {
    const v = versions.get(name) ?? {};
    versions.set(name, v);
    if (v.f16 !== undefined) return v.f16;
    const c = consts.get(name);
    if (c !== undefined) { v.f16 = fp16Constant(name, c); return v.f16; }
    const source = v.raw ?? v.f32 ?? name;
    v.f16 = fresh(`${name}__fp16`);
    emitCast(source, FLOAT16, v.f16);
    return v.f16;
  };
  /** The float32 version of a float tensor. `exact` asks for the unrounded value (kept nodes, non-data inputs). */
  const asF32 = (name: string, exact: boolean): string => {
    const c = consts.get(name);
    if (c !== undefined && exact) {
      if (!c.emittedOriginal && c.node !== undefined) { newNodes.push(c.node); c.emittedOriginal = true; }
      return name;
    }
    const v = versions.get(name) ?? {};
    versions.set(name, v);
    if (exact && v.raw !== undefined) return v.raw;
    if (v.f32 !== undefined) return v.f32;
    if (!opts.roundActivations && v.raw !== undefined) return v.raw;
    const f16 = asF16(name);
    v.f32 = fresh(`${name}__fp32`);
    emitCast(f16, FLOAT, v.f32);
    return v.f32;
  };

  // Graph inputs.
  const graphInputNames = new Set((graph.input ?? []).filter((i) => !consts.has(i.name ?? '')).map((i) => i.name ?? ''));
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (!graphInputNames.has(name) || !isFloat(name)) continue;
    if (opts.io === 'float16') {
      input.type!.tensor_type!.elem_type = FLOAT16;
      versions.set(name, { f16: name });
    } else {
      versions.set(name, { raw: name });
    }
  }
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));

  /** Record a node output of the given native precision; graph outputs get a cast to their declared type. */
  const produce = (node: NodeProto, k: number, precision: 'f16' | 'raw') => {
    const name = node.output![k]!;
    versions.set(name, precision === 'f16' ? { f16: name } : { raw: name });
    if (!graphOutputs.has(name)) return;
    const wanted = opts.io === 'float16' ? 'f16' : 'raw';
    if (wanted === precision) return;
    const temp = fresh(`${name}__${precision === 'f16' ? 'fp16' : 'fp32'}`);
    node.output![k] = temp;
    if (precision === 'f16') { versions.set(name, { f16: temp, f32: name }); emitCastAfter(temp, FLOAT, name); }
    else { versions.set(name, { raw: temp, f16: name }); emitCastAfter(temp, FLOAT16, name); }
  };
  const pendingCasts: Array<[string, number, string]> = [];
  const emitCastAfter = (input: string, to: number, output: string) => pendingCasts.push([input, to, output]);
  const flushPending = () => { for (const [i, to, o] of pendingCasts.splice(0)) emitCast(i, to, o); };

  const bump = (table: Record<string, number>, op: string) => { table[op] = (table[op] ?? 0) + 1; };

  for (const node of nodes) {
    const op = node.op_type ?? '';
    const inputs = node.input ?? [];
    const outputs = node.output ?? [];
    const touchesFloat = [...inputs, ...outputs].some(isFloat);
    const reason = kept.get(node);

    // Float32 Constant nodes are constants like initializers: emitted lazily in the precision consumers need.
    if (op === 'Constant' && outputs.length === 1 && isFloat(outputs[0]!) && reason === undefined && !graphOutputs.has(outputs[0]!)) {
      const t = (node.attribute ?? []).find((a: AttributeProto) => a.name === 'value')?.t;
      if (t !== undefined && t.data_type === FLOAT) {
        consts.set(outputs[0]!, { tensor: t, node, isInitializer: false, emittedOriginal: false });
        continue;
      }
    }
    if (!touchesFloat) {
      newNodes.push(node);
      continue;
    }
    if (reason !== undefined) {
      report.keptNodes.push({ name: node.name ?? '', opType: op, reason });
      node.input = inputs.map((i) => (isFloat(i) ? asF32(i, true) : i));
      for (const sub of graphAttributes(node)) {
        const renames = new Map<string, string>();
        for (const ref of outerReferences(sub)) if (isFloat(ref)) { const v = asF32(ref, true); if (v !== ref) renames.set(ref, v); }
        renameOuterReferences(sub, renames);
      }
      newNodes.push(node);
      outputs.forEach((o, k) => { if (isFloat(o)) produce(node, k, 'raw'); });
      flushPending();
      continue;
    }
    const data = dataPositions(op, inputs.length);
    if (op === 'Shape' || op === 'Size') {
      // Only the shape is read: use whichever version exists, without a cast.
      node.input = inputs.map((i) => { const v = versions.get(i); return v?.f16 ?? v?.raw ?? v?.f32 ?? (consts.has(i) ? asF32(i, true) : i); });
      newNodes.push(node);
      continue;
    }
    if (isFloat16Kernel(node, opset)) {
      bump(report.float16Ops, op);
      node.input = inputs.map((i, k) => (!isFloat(i) ? i : data.has(k) ? asF16(i) : asF32(i, true)));
      if (op === 'Cast') {
        const to = (node.attribute ?? []).find((a) => a.name === 'to');
        if (to !== undefined && Number(to.i) === FLOAT) to.i = FLOAT16;
      }
      newNodes.push(node);
      // LayerNormalization's optional Mean/InvStdDev outputs use its stash type (float32), not T.
      outputs.forEach((o, k) => { if (isFloat(o)) produce(node, k, op === 'LayerNormalization' && k > 0 ? 'raw' : 'f16'); });
    } else {
      bump(report.float32Ops, op);
      node.input = inputs.map((i, k) => (!isFloat(i) ? i : asF32(i, !data.has(k))));
      newNodes.push(node);
      outputs.forEach((o, k) => { if (isFloat(o)) produce(node, k, 'raw'); });
    }
    flushPending();
  }
  // Graph outputs that are graph inputs or constants directly.
  for (const o of graph.output ?? []) {
    const name = o.name ?? '';
    if (!isFloat(name)) continue;
    if (opts.io === 'float16') {
      o.type!.tensor_type!.elem_type = FLOAT16;
      if (producer.has(name)) continue;
      // An input or constant passed straight through: expose its float16 version under the output's name.
      const f16 = asF16(name);
      if (f16 !== name) newNodes.push({ op_type: 'Identity', input: [f16], output: [name], name: fresh(`${name}__out`) });
    } else if (consts.has(name) && !producer.has(name)) {
      asF32(name, true);
    }
  }

  // --- initializers: drop float32 originals nobody reads any more ---------------------------------------------
  const read = new Set<string>();
  for (const n of newNodes) {
    for (const i of n.input ?? []) read.add(i);
    for (const g of graphAttributes(n)) for (const r of outerReferences(g)) read.add(r);
  }
  for (const o of graph.output ?? []) if (o.name) read.add(o.name);
  const keptInitializers = (graph.initializer ?? []).filter((t) => t.data_type !== FLOAT || read.has(t.name ?? ''));
  const dropped = new Set((graph.initializer ?? []).filter((t) => !keptInitializers.includes(t)).map((t) => t.name));
  graph.initializer = [...keptInitializers, ...newInitializers];
  graph.input = [...(graph.input ?? []).filter((i) => !dropped.has(i.name)), ...extraInputs];
  graph.node = newNodes;
  // Declared intermediate float32 types may now be float16: let onnxruntime infer them again.
  graph.value_info = (graph.value_info ?? []).filter((v) => v.type?.tensor_type?.elem_type !== FLOAT);
  report.initializerBytesAfter = graph.initializer.reduce((n, t) => n + tensorDataBytes(t), 0);
  report.weightBytesAfter = weightBytes(graph);
  // Overflow first (it produces infinities), then underflow, each largest count first.
  report.tensorIssues.sort((a, b) => (b.overflow - a.overflow) || (b.underflow - a.underflow));
  report.warnings = report.tensorIssues.map(sdkWarning);
  return { model: out, report };
}

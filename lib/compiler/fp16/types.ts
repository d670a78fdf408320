/**
 * Element-type inference for one graph: which tensors are float32. The float16 pass may only insert casts on
 * tensors whose type it knows, so this is deliberately conservative: a tensor whose type cannot be derived (a
 * custom-domain operator, a local function) is `undefined`, and the pass leaves every node touching it in float32.
 */
import { OnnxDataType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';

const INT64 = OnnxDataType.INT64;
const BOOL = OnnxDataType.BOOL;
const FLOAT = OnnxDataType.FLOAT;

const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
/** operators whose first output has the type of input 0 and any further outputs are int64 indices */
const VALUE_THEN_INDICES = new Set(['TopK', 'MaxPool', 'Unique']);
/** operators whose outputs are sequences, optionals or elements of them: not plain tensors the pass may cast */
const NOT_TENSOR_OUT = new Set([
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'SequenceAt',
  'ConcatFromSequence', 'SequenceMap', 'Optional', 'OptionalGetElement', 'ZipMap', 'CastMap', 'DictVectorizer',
]);

function attr(node: NodeProto, name: string) {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** The element type of a tensor that a `Constant` node holds. */
function constantType(node: NodeProto): number | undefined {
  for (const a of node.attribute ?? []) {
    switch (a.name) {
      case 'value': return a.t?.data_type;
      case 'value_float': case 'value_floats': return FLOAT;
      case 'value_int': case 'value_ints': return INT64;
      case 'value_string': case 'value_strings': return OnnxDataType.STRING;
      default: break;
    }
  }
  return undefined;
}

/** Output element types of one node, given the types known so far (`undefined` where unknown). */
export function nodeOutputTypes(node: NodeProto, typeOf: (name: string) => number | undefined): (number | undefined)[] {
  const op = node.op_type ?? '';
  const domain = node.domain ?? '';
  const outputs = node.output ?? [];
  const inputs = node.input ?? [];
  const input = (k: number): number | undefined => (inputs[k] ? typeOf(inputs[k]) : undefined);
  const all = (t: number | undefined) => outputs.map(() => t);
  if (domain === 'com.microsoft' && (op === 'QuantizeLinear' || op === 'DequantizeLinear')) {
    // onnxruntime's own Q/DQ (the int8 pass writes them for models below opset 13): the ONNX operators' types. Known
    // here so that the float16 pass can convert the float parts of an int8 program around them.
    return op === 'QuantizeLinear' ? all(input(2) ?? OnnxDataType.UINT8) : all(input(1));
  }
  if (domain !== '' && domain !== 'ai.onnx') {
    // Common onnxruntime fusions (com.microsoft) keep the type of their first input; anything else is unknown.
    const sameAsInput = ['FusedConv', 'FusedGemm', 'FusedMatMul', 'BiasGelu', 'Gelu', 'FastGelu', 'QuickGelu', 'BiasSoftmax', 'NhwcMaxPool'];
    return domain === 'com.microsoft' && sameAsInput.includes(op) ? all(input(0)) : all(undefined);
  }
  if (NOT_TENSOR_OUT.has(op)) return all(undefined);
  if (op === 'SequenceLength') return all(INT64);
  if (op === 'OptionalHasElement') return all(BOOL);
  if (BOOL_OUT.has(op)) return all(BOOL);
  if (INT64_OUT.has(op)) return all(INT64);
  if (VALUE_THEN_INDICES.has(op)) return outputs.map((_, k) => (k === 0 ? input(0) : INT64));
  switch (op) {
    case 'Cast': return all(Number(attr(node, 'to')?.i ?? 0));
    case 'CastLike': return all(input(1));
    case 'Constant': return all(constantType(node));
    case 'ConstantOfShape': return all(attr(node, 'value')?.t?.data_type ?? FLOAT);
    case 'Where': return all(input(1));
    case 'DequantizeLinear': return all(input(1));
    case 'QuantizeLinear': return all(input(2) ?? OnnxDataType.UINT8);
    case 'DynamicQuantizeLinear': return [OnnxDataType.UINT8, FLOAT, OnnxDataType.UINT8];
    case 'EyeLike': case 'RandomNormalLike': case 'RandomUniformLike': {
      const dtype = attr(node, 'dtype')?.i;
      return all(dtype === undefined ? input(0) : Number(dtype));
    }
    case 'RandomNormal': case 'RandomUniform': return all(Number(attr(node, 'dtype')?.i ?? FLOAT));
    case 'Multinomial': return all(Number(attr(node, 'dtype')?.i ?? OnnxDataType.INT32));
    case 'Bernoulli': { const dtype = attr(node, 'dtype')?.i; return all(dtype === undefined ? input(0) : Number(dtype)); }
    case 'OneHot': return all(input(2));
    case 'If': case 'Loop': case 'Scan': {
      // Loop outputs are its loop-carried values then scan outputs: their declared subgraph outputs after the
      // condition. If and Scan outputs are the body's outputs in order.
      const body = attr(node, op === 'If' ? 'then_branch' : 'body')?.g;
      const declared = (body?.output ?? []).map((o) => o.type?.tensor_type?.elem_type);
      return outputs.map((_, k) => declared[op === 'Loop' ? k + 1 : k]);
    }
    case 'Dropout': return outputs.map((_, k) => (k === 0 ? input(0) : BOOL));
    case 'BatchNormalization': case 'LayerNormalization': return all(input(0));
    default:
      // The default domain's remaining operators produce the type of their first (data) input. Operators with no
      // inputs (Constant-like generators) were handled above; an empty input list means "unknown".
      return all(input(0));
  }
}

/**
 * Element types of every tensor of `graph` that can be derived. `outer` supplies the types of names a subgraph
 * reads from enclosing graphs.
 */
export function inferElementTypes(graph: GraphProto, outer?: ReadonlyMap<string, number | undefined>): Map<string, number | undefined> {
  const types = new Map<string, number | undefined>(outer ?? []);
  const declare = (name: string | undefined, t: number | undefined) => {
    if (name !== undefined && name !== '' && t !== undefined && t !== 0) types.set(name, t);
  };
  for (const init of graph.initializer ?? []) declare(init.name, (init as TensorProto).data_type);
  for (const info of [...(graph.input ?? []), ...(graph.value_info ?? []), ...(graph.output ?? [])]) {
    declare(info.name, info.type?.tensor_type?.elem_type);
  }
  for (const node of graph.node ?? []) {
    const inferred = nodeOutputTypes(node, (name) => types.get(name));
    (node.output ?? []).forEach((name, k) => {
      if (name === '') return;
      // A declared type (value_info, graph output) wins over an inference.
      if (!types.has(name)) types.set(name, inferred[k]);
    });
  }
  return types;
}

/**
 * onnxruntime fuses QDQ patterns into QLinearConv, QLinearMatMul, ... of the ONNX domain, which exist from opset 10:
 * an opset-9 model (PP-OCRv4 cls and rec are) would get fused nodes its opset does not know, and onnxruntime refuses
 * it. So the int8 pass raises opset 9 to 10 where that changes no operator's meaning. Of the operators opset 10
 * redefined, Slice only moved its attributes to inputs (converted here); Upsample and TopK changed meaning and
 * Dropout its outputs, so a model with them is refused instead of being silently changed. Everything else opset 10
 * touched only gained optional attributes whose defaults keep the opset-9 behaviour (MaxPool, AveragePool ceil_mode).
 * Opset 6-8 models are raised only when all their operators mean the same at 10 (see SAME_FROM_6).
 */
import { QaicError } from '../../errors.js';
import { makeTensorProto, opsetVersion } from '../../onnx/model.js';
import type { ModelProto } from '../../onnx/schema.js';

/** Operators whose opset-10 definition differs from opset 9 in a way the raise cannot convert. */
const CHANGED_AT_10 = new Set(['Upsample', 'TopK', 'Dropout']);

/**
 * Operators whose meaning is the same from opset 6 to 10 (only types or optional attributes with backward-compatible
 * defaults were added), or, for Gemm, whose opset-6 `broadcast` attribute the raise drops (opset 7's unidirectional
 * broadcast of C covers both of its settings). A model older than opset 9 is raised only when every node is one of
 * these: Add/Mul/BatchNormalization and most others changed at 7 or 9.
 */
const SAME_FROM_6 = new Set(['Conv', 'Gemm', 'MatMul', 'Relu', 'Sigmoid', 'Softmax', 'Flatten', 'Transpose', 'Concat', 'Reshape',
  'GlobalAveragePool', 'GlobalMaxPool', 'Identity', 'LeakyRelu', 'Tanh']);

/**
 * Raise an opset-9 (or opset 6-8, see SAME_FROM_6) model's default domain to opset 10, converting Slice's attributes
 * into inputs. A model at opset 10 or later is left alone. Modifies `model`.
 * @throws QaicError `QAIC_UNSUPPORTED_OPERATOR` naming an operator whose meaning changed at opset 10
 */
export function raiseToOpset10(model: ModelProto, fresh: (base: string) => string, source = 'the model'): boolean {
  const opset = opsetVersion(model, '') ?? 1;
  if (opset >= 10) return false;
  const graph = model.graph!;
  if (opset < 6) {
    throw new QaicError('QAIC_UNSUPPORTED_OPERATOR', `${source} is at opset ${opset}; int8 quantization needs opset 6 or later (onnxruntime's int8 kernels are opset-10 operators)`, { details: { version: opset } });
  }
  if (opset < 9) {
    const other = (graph.node ?? []).find((n) => (n.domain ?? '') === '' && !SAME_FROM_6.has(n.op_type ?? ''));
    if (other !== undefined) {
      throw new QaicError('QAIC_UNSUPPORTED_OPERATOR', `${source} is at opset ${opset}, and node '${other.name ?? ''}' (${other.op_type}) may mean something else at opset 10, where onnxruntime's int8 kernels start; int8 quantization of opset 6-8 models needs only ${[...SAME_FROM_6].join(', ')}: re-export the model at opset 10 or later`, {
        details: { version: opset, operator: other.op_type, node: other.name },
      });
    }
    for (const n of graph.node ?? []) if (n.op_type === 'Gemm') n.attribute = (n.attribute ?? []).filter((a) => a.name !== 'broadcast');
  }
  for (const n of graph.node ?? []) {
    if ((n.domain ?? '') !== '') continue;
    if (CHANGED_AT_10.has(n.op_type ?? '')) {
      throw new QaicError('QAIC_UNSUPPORTED_OPERATOR', `${source}: int8 quantization raises opset 9 to 10 (onnxruntime's int8 kernels are opset-10 operators), and node '${n.name ?? ''}' (${n.op_type}) changed meaning at opset 10; re-export the model at opset 10 or later`, {
        details: { operator: n.op_type, node: n.name },
      });
    }
    if (n.op_type !== 'Slice') continue;
    // kept as bigints: exporters write INT64_MAX for "to the end", which a Number rounds to 2^63 (INT64_MIN once
    // stored in a BigInt64Array: an empty slice)
    const ints = (name: string) => (n.attribute ?? []).find((a) => a.name === name)?.ints?.map((v) => BigInt(v));
    const starts = ints('starts') ?? [];
    const ends = ints('ends') ?? [];
    const axes = ints('axes');
    const add = (what: string, values: bigint[]): string => {
      const name = fresh(`${n.name ?? n.output?.[0] ?? 'slice'}_${what}`);
      graph.initializer = [...(graph.initializer ?? []), makeTensorProto(name, 'int64', [values.length], BigInt64Array.from(values))];
      return name;
    };
    n.input = [n.input![0]!, add('starts', starts), add('ends', ends), ...(axes === undefined ? [] : [add('axes', axes)])];
    n.attribute = (n.attribute ?? []).filter((a) => !['starts', 'ends', 'axes'].includes(a.name ?? ''));
  }
  for (const o of model.opset_import ?? []) if ((o.domain ?? '') === '' || o.domain === 'ai.onnx') o.version = 10;
  return true;
}

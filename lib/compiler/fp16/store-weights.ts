/**
 * Lossless float16 storage of float32 weights whose values are all exactly representable in float16.
 *
 * Why this exists (the constant-folding trap): after {@link convertToFp16}, weights that feed float32-only operators
 * reach them through `Cast(float16 -> float)`. onnxruntime's graph optimization (any level but 'disabled') folds
 * such a cast into a float32 initializer, so a program saved after optimization stores float32 weights again, at
 * twice the size, although every value is still a float16 value. This pass undoes exactly that: it finds float32
 * initializers whose values survive a float16 round trip bit for bit, stores them as float16, and puts one
 * `Cast(to=float)` in front of the graph. No value changes, so the optimized graph computes exactly what it did.
 * At load time onnxruntime folds the casts again in memory (load with graph optimization 'basic' or higher);
 * loaded with 'disabled', the casts run on every inference instead.
 */
import { makeTensorProto, tensorData, tensorDataBytes } from '../../onnx/model.js';
import { AttributeType, OnnxDataType, type ModelProto, type NodeProto, type TensorProto } from '../../onnx/schema.js';
import { fromFloat16Bits, float32ToFloat16Array } from './half.js';

/** What {@link storeWeightsAsFloat16} did. */
export interface WeightStorageReport {
  /** float32 initializers now stored as float16 */
  tensors: number;
  /** float32 initializers left as they are because some value is not a float16 value (or they are tiny) */
  keptFloat32: number;
  /** bytes of the main graph's initializers before the pass */
  bytesBefore: number;
  /** bytes of the main graph's initializers after the pass (the added Cast nodes hold no data) */
  bytesAfter: number;
}

/** Initializers smaller than this stay float32: the Cast node would cost more than the bytes saved. */
const MIN_ELEMENTS = 16;

function exactlyHalf(values: Float32Array): Uint16Array | undefined {
  const { bits } = float32ToFloat16Array(values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const back = fromFloat16Bits(bits[i]!);
    if (!(back === v || (Number.isNaN(v) && Number.isNaN(back))) || (v === 0 && Object.is(v, -0) !== Object.is(back, -0))) return undefined;
  }
  return bits;
}

/**
 * Store float32 initializers of the main graph whose values are all float16 values as float16 (see the module
 * comment). Returns a new model; the input is not modified. Initializers that are also graph inputs (overridable,
 * IR < 4), those with external data and those named in `options.keep` are left alone.
 *
 * @param options.keep initializers to leave float32 whatever their values: the scales of an int8 program's
 *   QuantizeLinear/DequantizeLinear and int8 kernels (QLinearConv, ...), which onnxruntime requires as float32
 *   constants (a power-of-2 scale is a float16 value, and a Cast in front of it is not a constant).
 */
export function storeWeightsAsFloat16(model: ModelProto, options: { keep?: ReadonlySet<string> } = {}): {
  /** the model with the float16-exact weights stored as float16 (a new object) */
  model: ModelProto;
  /** what was converted and the bytes saved */
  report: WeightStorageReport;
} {
  const out: ModelProto = structuredClone(model);
  const graph = out.graph ?? {};
  const report: WeightStorageReport = { tensors: 0, keptFloat32: 0, bytesBefore: 0, bytesAfter: 0 };
  const overridable = new Set((graph.input ?? []).map((i) => i.name));
  const names = new Set<string>();
  for (const n of graph.node ?? []) for (const x of [...(n.input ?? []), ...(n.output ?? [])]) names.add(x);
  for (const t of graph.initializer ?? []) if (t.name) names.add(t.name);
  const casts: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  for (const tensor of graph.initializer ?? []) {
    const size = tensorDataBytes(tensor);
    report.bytesBefore += size;
    const eligible = tensor.data_type === OnnxDataType.FLOAT && tensor.data_location !== 1 && !overridable.has(tensor.name) && size >= MIN_ELEMENTS * 4
      && !(options.keep?.has(tensor.name ?? '') ?? false);
    const bits = eligible ? exactlyHalf(tensorData(tensor).data as Float32Array) : undefined;
    if (bits === undefined) {
      if (tensor.data_type === OnnxDataType.FLOAT) report.keptFloat32++;
      initializers.push(tensor);
      report.bytesAfter += size;
      continue;
    }
    const name = tensor.name ?? '';
    let halfName = `${name}__fp16`;
    for (let k = 1; names.has(halfName); k++) halfName = `${name}__fp16_${k}`;
    names.add(halfName);
    const half = makeTensorProto(halfName, 'float16', (tensor.dims ?? []).map(Number), bits);
    initializers.push(half);
    report.bytesAfter += half.raw_data!.byteLength;
    casts.push({ op_type: 'Cast', name: `${halfName}__widen`, input: [halfName], output: [name], attribute: [{ name: 'to', type: AttributeType.INT, i: OnnxDataType.FLOAT }] });
    report.tensors++;
  }
  graph.initializer = initializers;
  graph.node = [...casts, ...(graph.node ?? [])];
  return { model: out, report };
}

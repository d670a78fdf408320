/**
 * Reading and writing ONNX models, their input/output specs and their tensors.
 */
import { QaicError } from '../errors.js';
import { bytesPerElement, dtypeFromOnnx, onnxFromDType, onnxTypeName, viewOf, type DType, type TensorData } from '../dtypes.js';
import { readRegularFileSync } from '../files.js';
import { MAX_MESSAGE_BYTES, decodeMessage, encodeMessage } from './protobuf.js';
import {
  ModelSchema, TensorSchema,
  type GraphProto, type Int64, type ModelProto, type TensorProto, type ValueInfoProto,
} from './schema.js';

/** A dimension: a fixed size, a named symbol (`'batch'`), or `null` when the model leaves it anonymous. */
export type Dim = number | string | null;

/** The declared type of one graph input or output. */
export interface ValueSpec {
  /** The input or output name, as `Session.run` takes and returns it (`''` when the model leaves it unnamed). */
  name: string;
  /** `undefined` when the element type is one onnxruntime-node cannot carry (see `onnxType`) */
  dtype: DType | undefined;
  /** the ONNX element type code as declared */
  onnxType: number;
  /** `null` when the model declares no shape at all (any rank) */
  shape: Dim[] | null;
  /** not a plain tensor (sequence, map, optional): such values cannot be fed from JavaScript */
  nonTensor?: string;
}

/** Decode ONNX model bytes. Throws `QAIC_MODEL_INVALID` naming `source` when they are not a model. */
export function decodeModel(bytes: Uint8Array, source = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = decodeMessage(ModelSchema, bytes) as ModelProto;
  } catch (error) {
    throw new QaicError('QAIC_MODEL_INVALID', `${source} is not a valid ONNX model: ${(error as Error).message}`, {
      cause: error,
      details: { file: source },
    });
  }
  if (model.graph === undefined || model.ir_version === undefined) {
    throw new QaicError('QAIC_MODEL_INVALID', `${source} is not a valid ONNX model: it has no ${model.graph === undefined ? 'graph' : 'ir_version'}`, {
      details: { file: source },
    });
  }
  return model;
}

/**
 * Read and decode an ONNX file (external data files are not read), through the library's reader for untrusted files:
 * a regular file of at most 2 GiB (protobuf's limit). Throws `QAIC_FILE_NOT_FOUND` (with the path),
 * `QAIC_FILE_INVALID` (not a regular file, too large) or `QAIC_MODEL_INVALID`.
 *
 * @returns the decoded `model`, and the file's `bytes` as read (for hashing or re-use without re-reading)
 */
export function readModelFile(path: string): {
  /** The decoded model. */
  model: ModelProto;
  /** The file's contents, unchanged. */
  bytes: Uint8Array;
} {
  const bytes = readRegularFileSync(path, { what: 'model file', maxBytes: MAX_MESSAGE_BYTES });
  return { model: decodeModel(bytes, `'${path}'`), bytes };
}

/** Encode a model to bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeMessage(ModelSchema, model as Record<string, unknown>);
}

/**
 * Decode a single serialized TensorProto (the `.pb` files of ONNX test data sets). Throws `QAIC_MODEL_INVALID` when
 * the bytes are not a valid protobuf message.
 */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return decodeMessage(TensorSchema, bytes) as TensorProto;
}

/** Encode a single TensorProto to bytes, as {@link decodeTensor} reads them (the `.pb` files of ONNX test data sets). */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  return encodeMessage(TensorSchema, tensor as Record<string, unknown>);
}

function toDim(d: { dim_value?: Int64; dim_param?: string }): Dim {
  if (d.dim_value !== undefined) return Number(d.dim_value);
  if (d.dim_param !== undefined && d.dim_param !== '') return d.dim_param;
  return null;
}

/** The spec of a graph input or output. */
export function valueSpec(info: ValueInfoProto): ValueSpec {
  const name = info.name ?? '';
  const type = info.type;
  const tensor = type?.tensor_type;
  if (tensor === undefined) {
    const kind = type?.sequence_type !== undefined ? 'sequence' : type?.map_type !== undefined ? 'map'
      : type?.optional_type !== undefined ? 'optional' : type?.sparse_tensor_type !== undefined ? 'sparse tensor' : 'untyped';
    return { name, dtype: undefined, onnxType: 0, shape: null, nonTensor: kind };
  }
  const onnxType = tensor.elem_type ?? 0;
  return {
    name,
    dtype: dtypeFromOnnx(onnxType),
    onnxType,
    shape: tensor.shape === undefined ? null : (tensor.shape.dim ?? []).map(toDim),
  };
}

/** Graph inputs that are real inputs (not initializers listed as inputs, as IR < 4 models do). */
export function graphInputs(graph: GraphProto): ValueInfoProto[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((i) => !initializers.has(i.name));
}

/** Input and output specs of a model's main graph, in declaration order. */
export function modelIO(model: ModelProto): {
  /** The real inputs (initializers listed as inputs are left out, see {@link graphInputs}). */
  inputs: ValueSpec[];
  /** The graph outputs. */
  outputs: ValueSpec[];
} {
  const graph = model.graph ?? {};
  return { inputs: graphInputs(graph).map(valueSpec), outputs: (graph.output ?? []).map(valueSpec) };
}

/** Every symbolic dim name used by a model's inputs and outputs, in first-seen order. */
export function modelSymbols(model: ModelProto): string[] {
  const { inputs, outputs } = modelIO(model);
  const seen = new Set<string>();
  for (const spec of [...inputs, ...outputs]) for (const d of spec.shape ?? []) if (typeof d === 'string') seen.add(d);
  return [...seen];
}

/** The opset version the model imports for a domain (`''` is the default ONNX domain). */
export function opsetVersion(model: ModelProto, domain = ''): number | undefined {
  const entry = (model.opset_import ?? []).find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
  return entry?.version === undefined ? undefined : Number(entry.version);
}

/**
 * Bytes of a tensor's data as its element type holds them (float16 is 2 bytes per element even when stored one
 * per int32 in `int32_data`): the external `length` when the data lives in another file, else `raw_data`'s length,
 * else elements x element size; strings count their bytes.
 */
export function tensorDataBytes(t: TensorProto): number {
  if (t.data_location === 1) {
    const length = t.external_data?.find((e) => e.key === 'length')?.value;
    if (length !== undefined) return Number(length);
  }
  if (t.raw_data !== undefined) return t.raw_data.byteLength;
  const dtype = dtypeFromOnnx(t.data_type ?? 0);
  if (dtype === undefined || dtype === 'string') return (t.string_data ?? []).reduce((s, b) => s + b.byteLength, 0);
  return elementCount(t.dims ?? []) * bytesPerElement(dtype);
}

/** Number of elements of a tensor with the given dims. */
export function elementCount(dims: readonly Int64[]): number {
  let n = 1;
  for (const d of dims) n *= Number(d);
  return n;
}

function copyBytes(raw: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(raw.byteLength);
  new Uint8Array(buffer).set(raw);
  return buffer;
}

/**
 * The values of an in-memory TensorProto as a typed array of its dtype (a copy, aligned). External data is not
 * resolved here: see the program loader. Throws `QAIC_MODEL_INVALID` for an unsupported type or a size mismatch.
 */
export function tensorData(tensor: TensorProto): {
  /** The element type, as the JavaScript dtype name (float16 values are raw bits in a `Uint16Array`). */
  dtype: DType;
  /** The shape, outermost first; `[]` for a scalar. */
  dims: number[];
  /** The elements in row-major order, in a fresh typed array (or `string[]` for strings). */
  data: TensorData;
} {
  const code = tensor.data_type ?? 0;
  const dtype = dtypeFromOnnx(code);
  const dims = (tensor.dims ?? []).map(Number);
  const count = elementCount(dims);
  if (dtype === undefined) {
    throw new QaicError('QAIC_MODEL_INVALID', `tensor '${tensor.name ?? ''}' has element type ${onnxTypeName(code)}, which onnxruntime-node cannot carry`);
  }
  if (tensor.data_location === 1) {
    throw new QaicError('QAIC_MODEL_INVALID', `tensor '${tensor.name ?? ''}' keeps its data in an external file; resolve it before reading`);
  }
  let data: TensorData;
  if (dtype === 'string') {
    const decoder = new TextDecoder();
    data = (tensor.string_data ?? []).map((b) => decoder.decode(b));
  } else if (tensor.raw_data !== undefined) {
    const buffer = copyBytes(tensor.raw_data);
    data = viewOf(dtype, buffer);
  } else {
    data = fromTypedFields(tensor, dtype);
  }
  if (data.length !== count) {
    throw new QaicError('QAIC_MODEL_INVALID', `tensor '${tensor.name ?? ''}' declares dims [${dims.join(', ')}] (${count} elements) but holds ${data.length}`);
  }
  return { dtype, dims, data };
}

function fromTypedFields(tensor: TensorProto, dtype: Exclude<DType, 'string'>): TensorData {
  switch (dtype) {
    case 'float32': return Float32Array.from(tensor.float_data ?? []);
    case 'float64': return Float64Array.from(tensor.double_data ?? []);
    case 'int64': return BigInt64Array.from(tensor.int64_data ?? []);
    case 'uint64': return BigUint64Array.from(tensor.uint64_data ?? []);
    case 'uint32': return Uint32Array.from(Array.from(tensor.uint64_data ?? [], Number));
    default: {
      // int8/16/32, uint8/16, bool and float16 (as bits) all live in int32_data
      const src = tensor.int32_data ?? new Int32Array(0);
      const out = viewOf(dtype, new ArrayBuffer(src.length * bytesPerElement(dtype)));
      for (let i = 0; i < src.length; i++) (out as Int32Array)[i] = src[i]!;
      return out;
    }
  }
}

/** Build a TensorProto holding `data` as raw little-endian bytes (strings in `string_data`). */
export function makeTensorProto(name: string, dtype: DType, dims: readonly number[], data: TensorData): TensorProto {
  const tensor: TensorProto = { name, dims: [...dims], data_type: onnxFromDType(dtype) };
  if (dtype === 'string') {
    const encoder = new TextEncoder();
    tensor.string_data = (data as string[]).map((s) => encoder.encode(s));
  } else {
    const view = data as Exclude<TensorData, string[]>;
    tensor.raw_data = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  }
  return tensor;
}

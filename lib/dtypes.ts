/**
 * Element types: the numpy-style names users see, ONNX's numeric codes, and the typed arrays that carry them.
 *
 * The names are those of numpy (and of onnxruntime-node, which uses the same spelling), except `string`, for which
 * numpy has no fixed-width name. float16 values travel as their raw IEEE bits in a `Uint16Array` (Node 20 has no
 * Float16Array); bool travels as a `Uint8Array` of 0/1.
 */
import { OnnxDataType } from './onnx/schema.js';

/** Element types the library can run (onnxruntime-node's CPU backend supports exactly these). */
export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

/** The JavaScript container of each dtype. */
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array
  : D extends 'float64' ? Float64Array
  : D extends 'float16' ? Uint16Array
  : D extends 'int8' ? Int8Array
  : D extends 'uint8' | 'bool' ? Uint8Array
  : D extends 'int16' ? Int16Array
  : D extends 'uint16' ? Uint16Array
  : D extends 'int32' ? Int32Array
  : D extends 'uint32' ? Uint32Array
  : D extends 'int64' ? BigInt64Array
  : D extends 'uint64' ? BigUint64Array
  : string[];

/** Any container a tensor's data can have. */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

interface DTypeInfo {
  onnx: number;
  bytes: number;
  array: { new (length: number): Exclude<TensorData, string[]>; new (buffer: ArrayBuffer): Exclude<TensorData, string[]>; name: string } | null;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { onnx: OnnxDataType.FLOAT, bytes: 4, array: Float32Array },
  float64: { onnx: OnnxDataType.DOUBLE, bytes: 8, array: Float64Array },
  float16: { onnx: OnnxDataType.FLOAT16, bytes: 2, array: Uint16Array },
  int8: { onnx: OnnxDataType.INT8, bytes: 1, array: Int8Array },
  uint8: { onnx: OnnxDataType.UINT8, bytes: 1, array: Uint8Array },
  int16: { onnx: OnnxDataType.INT16, bytes: 2, array: Int16Array },
  uint16: { onnx: OnnxDataType.UINT16, bytes: 2, array: Uint16Array },
  int32: { onnx: OnnxDataType.INT32, bytes: 4, array: Int32Array },
  uint32: { onnx: OnnxDataType.UINT32, bytes: 4, array: Uint32Array },
  int64: { onnx: OnnxDataType.INT64, bytes: 8, array: BigInt64Array },
  uint64: { onnx: OnnxDataType.UINT64, bytes: 8, array: BigUint64Array },
  bool: { onnx: OnnxDataType.BOOL, bytes: 1, array: Uint8Array },
  string: { onnx: OnnxDataType.STRING, bytes: 0, array: null },
};

/** Every supported dtype name. */
export const DTYPES: readonly DType[] = Object.keys(INFO) as DType[];

const BY_ONNX = new Map<number, DType>(DTYPES.map((d) => [INFO[d].onnx, d]));

const ONNX_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(OnnxDataType).map(([name, code]) => [code, name.toLowerCase()]),
);

/** True when `name` is a supported dtype name. */
export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.hasOwn(INFO, name);
}

/** The dtype of an ONNX element type code, or `undefined` when onnxruntime-node cannot carry it (bfloat16, int4...). */
export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_ONNX.get(code);
}

/** A readable name for any ONNX element type code, supported or not (for error messages). */
export function onnxTypeName(code: number): string {
  return BY_ONNX.get(code) ?? ONNX_NAMES[code] ?? `onnx type ${code}`;
}

/** The ONNX element type code of a dtype. */
export function onnxFromDType(dtype: DType): number {
  return INFO[dtype].onnx;
}

/** Bytes per element (0 for strings, whose size varies). */
export function bytesPerElement(dtype: DType): number {
  return INFO[dtype].bytes;
}

/** Allocate a zeroed container for `length` elements of `dtype`. */
export function allocate(dtype: DType, length: number): TensorData {
  const ctor = INFO[dtype].array;
  return ctor === null ? new Array<string>(length).fill('') : new ctor(length);
}

/** A view of `buffer` as the typed array of `dtype` (Uint16Array for float16 bits, Uint8Array for bool). */
export function viewOf(dtype: Exclude<DType, 'string'>, buffer: ArrayBuffer): Exclude<TensorData, string[]> {
  return new INFO[dtype].array!(buffer);
}

/** The constructor name expected for a dtype (`'Float32Array'`, ..., `'Array'` for strings). */
export function containerName(dtype: DType): string {
  return INFO[dtype].array?.name ?? 'Array';
}

/**
 * Whether `data` is an acceptable container for `dtype`. float16 and bool accept exactly Uint16Array and
 * Uint8Array (their bit containers); strings accept an array of strings. A Node `Buffer` counts as a Uint8Array
 * (it is one); other subclasses are refused, since their contents may not be plain elements.
 */
export function containerFits(dtype: DType, data: unknown): boolean {
  const ctor = INFO[dtype].array;
  if (ctor === null) return Array.isArray(data) && data.every((s) => typeof s === 'string');
  return data instanceof ctor && (data.constructor === ctor || (ctor === Uint8Array && Buffer.isBuffer(data)));
}

/**
 * The dtype a container implies when the model does not say (used for inputs whose dtype is checked against the
 * model). Uint16Array is ambiguous (uint16 or float16 bits) and Uint8Array (uint8 or bool); both return the
 * integer reading, and the model's dtype resolves the ambiguity.
 */
export function dtypeOfContainer(data: unknown): DType | undefined {
  // a plain array of numbers is no container at all: calling it 'string' would send users looking in the wrong place
  if (Array.isArray(data)) return data.every((v) => typeof v === 'string') ? 'string' : undefined;
  if (!ArrayBuffer.isView(data)) return undefined;
  if (Buffer.isBuffer(data)) return 'uint8';
  switch (data.constructor) {
    case Float32Array: return 'float32';
    case Float64Array: return 'float64';
    case Int8Array: return 'int8';
    case Uint8Array: return 'uint8';
    case Int16Array: return 'int16';
    case Uint16Array: return 'uint16';
    case Int32Array: return 'int32';
    case Uint32Array: return 'uint32';
    case BigInt64Array: return 'int64';
    case BigUint64Array: return 'uint64';
    default: return undefined;
  }
}

/** Dtypes that share a container, and so may be given for one another: the model's dtype decides. */
export function containerCompatible(modelDType: DType, given: DType): boolean {
  if (modelDType === given) return true;
  if (modelDType === 'float16' && given === 'uint16') return true;
  if (modelDType === 'bool' && given === 'uint8') return true;
  return false;
}

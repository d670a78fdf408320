/**
 * Tensors as users give and get them, checked against the model before anything crosses a thread.
 *
 * Inputs may be a typed array (its shape then comes from the model, which must be fully static for it), an object
 * `{data, shape}` (`dims` is accepted for `shape`), or an onnxruntime `Tensor`. Outputs are {@link OutputTensor}s:
 * `data` (a typed array, or `string[]`), `shape` and a numpy-style `dtype`.
 */
import { QaicError, describeValue } from './errors.js';
import { describeThrown } from './run-arguments.js';
import {
  allocate, viewOf, containerCompatible, containerName, dtypeOfContainer, isDType,
  type DType, type TensorData,
} from './dtypes.js';
import { elementCount, type Dim, type ValueSpec } from './onnx/model.js';

/** A tensor returned by `run()`. */
export interface OutputTensor {
  /** Values, row-major. float16 as raw IEEE bits (Uint16Array), bool as 0/1 (Uint8Array), int64 as BigInt64Array. */
  data: TensorData;
  /** Dimensions, outermost first. `[]` for a scalar. */
  shape: number[];
  /** numpy-style element type name. */
  dtype: DType;
}

/** The explicit form of an input: values plus shape (and optionally the dtype, to disambiguate containers). */
export interface InputTensor {
  /**
   * Values, row-major, in the typed array of the input's dtype: float16 as raw IEEE bits (Uint16Array), bool as
   * 0/1 (Uint8Array), int64 as BigInt64Array, `string[]` for strings. Transferred (detached) unless `copy_inputs`.
   */
  data: TensorData;
  /**
   * Dimensions, outermost first (`[]` for a scalar); must agree with the model's fixed dims and with
   * `data.length`, else `QAIC_INPUT_SHAPE`. When omitted (and no `dims`), the model's shape is used, which must
   * then be fully fixed.
   */
  shape?: readonly number[];
  /** alias of `shape`, as onnxruntime spells it */
  dims?: readonly number[];
  /**
   * numpy-style element type, as a check: the model's dtype decides how `data` is read, and a different one
   * throws `QAIC_INPUT_DTYPE`.
   */
  dtype?: DType;
}

/** One input value, in any accepted form. */
export type InputValue = TensorData | InputTensor | OrtTensorLike;

/** What `run()` takes: input name → value. */
export type Inputs = Record<string, InputValue>;

/** The structural shape of an onnxruntime-common `Tensor` (we do not import the class: any copy of it works). */
export interface OrtTensorLike {
  /** onnxruntime's element type name (`'float32'`, `'int64'`, `'float16'`, ...). */
  readonly type: string;
  /** Dimensions, outermost first. */
  readonly dims: readonly number[];
  /** The values (a typed array, or `string[]`), checked against `type` and `dims` like any input. */
  readonly data: unknown;
}

/** A tensor as it crosses to an activation. */
export interface WireTensor {
  type: DType;
  dims: number[];
  data: TensorData;
}

function formatDim(d: Dim): string {
  return d === null ? '?' : typeof d === 'string' ? `'${d}'` : String(d);
}

/** `x: float32 [1, 3, 'h', 'w']` lines for every expected input. */
export function describeSpecs(specs: readonly ValueSpec[]): string {
  return specs
    .map((s) => `${s.name}: ${s.dtype ?? `unsupported type ${s.onnxType}`} ${s.shape === null ? '(any shape)' : `[${s.shape.map(formatDim).join(', ')}]`}`)
    .join('; ');
}

function inputError(code: 'QAIC_INPUT_UNKNOWN' | 'QAIC_INPUT_MISSING' | 'QAIC_INPUT_DTYPE' | 'QAIC_INPUT_SHAPE', what: string, specs: readonly ValueSpec[], details: Record<string, unknown>): QaicError {
  return new QaicError(code, `${what}. The model expects ${specs.length} input(s): ${describeSpecs(specs)}`, { details });
}

function isOrtTensor(value: object): value is OrtTensorLike {
  return 'dims' in value && 'type' in value && typeof (value as { type: unknown }).type === 'string' && 'data' in value;
}

/** Apply `onnx_define_symbol` values to a spec's shape. */
export function fixShape(shape: readonly Dim[] | null, symbols: Readonly<Record<string, number>>): Dim[] | null {
  if (shape === null) return null;
  return shape.map((d) => (typeof d === 'string' && Object.hasOwn(symbols, d) ? symbols[d]! : d));
}

function isDetached(data: TensorData): boolean {
  if (Array.isArray(data)) return false;
  return data.buffer.byteLength === 0 && data.length === 0;
}

/**
 * Check `inputs` against the model's input specs and turn them into wire tensors. Nothing is transferred or
 * copied here; see {@link prepareTransfer}.
 *
 * @throws QaicError `QAIC_INPUT_UNKNOWN`, `QAIC_INPUT_MISSING`, `QAIC_INPUT_DTYPE` or `QAIC_INPUT_SHAPE`; each
 *   message lists the inputs the model expects.
 */
export function normaliseInputs(inputs: unknown, specs: readonly ValueSpec[]): WireTensor[] {
  try {
    return normaliseAll(inputs, specs);
  } catch (error) {
    if (error instanceof QaicError) throw error;
    // a getter or proxy of the caller's that threw while being read
    throw new QaicError('QAIC_INVALID_ARGUMENT', `run() could not read its inputs: ${describeThrown(error)}`, { cause: error, details: { argument: 'inputs' } });
  }
}

function normaliseAll(inputs: unknown, specs: readonly ValueSpec[]): WireTensor[] {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs) || ArrayBuffer.isView(inputs)) {
    throw inputError('QAIC_INPUT_MISSING', `run() takes an object of input name to tensor, got ${describeValue(inputs)}`, specs, {});
  }
  const given = inputs as Record<string, unknown>;
  // Few inputs (the common case): compare names directly rather than build a Map per call. for-in with an
  // own-property check visits what Object.keys() lists, in the same order, without allocating its array.
  const byName = specs.length > 8 ? new Set(specs.map((s) => s.name)) : undefined;
  for (const name in given) {
    if (!Object.hasOwn(given, name)) continue;
    if (byName !== undefined ? !byName.has(name) : !hasInput(specs, name)) {
      throw inputError('QAIC_INPUT_UNKNOWN', `unknown input '${name}'`, specs, { input: name });
    }
  }
  // push, not new Array(n): a holey array is structured-cloned in the slower sparse form
  const out: WireTensor[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const value = Object.hasOwn(given, spec.name) ? given[spec.name] : undefined;
    if (value === undefined) {
      throw inputError('QAIC_INPUT_MISSING', `missing input '${spec.name}' (given: ${Object.keys(given).map((k) => `'${k}'`).join(', ') || 'none'})`, specs, { input: spec.name });
    }
    out.push(normaliseOne(spec, value, specs));
  }
  return out;
}

/**
 * An array of non-negative integers: what `every()` would answer (holes are skipped, as `every()` skips them), in a
 * loop without a closure, since this runs on every run().
 */
function isDimList(shape: unknown): shape is readonly number[] {
  if (!Array.isArray(shape)) return false;
  for (let i = 0; i < shape.length; i++) {
    if (!(i in shape)) continue;
    const d: unknown = shape[i];
    if (!Number.isInteger(d) || (d as number) < 0) return false;
  }
  return true;
}

function hasInput(specs: readonly ValueSpec[], name: string): boolean {
  for (let i = 0; i < specs.length; i++) if (specs[i]!.name === name) return true;
  return false;
}

function normaliseOne(spec: ValueSpec, value: unknown, specs: readonly ValueSpec[]): WireTensor {
  const name = spec.name;
  if (spec.dtype === undefined) {
    throw inputError('QAIC_INPUT_DTYPE', `input '${name}' is a ${spec.nonTensor ?? `tensor of element type ${spec.onnxType}`}, which cannot be fed from JavaScript`, specs, { input: name });
  }
  let data: unknown;
  let shape: readonly number[] | undefined;
  let declared: string | undefined;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    data = value;
  } else if (typeof value === 'object' && value !== null) {
    if (isOrtTensor(value)) {
      data = value.data;
      shape = value.dims;
      declared = value.type;
    } else if ('data' in value) {
      const v = value as InputTensor;
      data = v.data;
      shape = v.shape ?? v.dims;
      declared = v.dtype;
      if (v.shape !== undefined && v.dims !== undefined) {
        throw inputError('QAIC_INPUT_SHAPE', `input '${name}' gives both 'shape' and 'dims'; give one`, specs, { input: name });
      }
    } else {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' must be a typed array, {data, shape} or an onnxruntime Tensor, got ${describeValue(value)}`, specs, { input: name });
    }
  } else {
    throw inputError('QAIC_INPUT_DTYPE', `input '${name}' must be a typed array, {data, shape} or an onnxruntime Tensor, got ${describeValue(value)}`, specs, { input: name });
  }
  const dtype = spec.dtype;
  if (declared !== undefined) {
    if (!isDType(declared)) {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' declares dtype ${describeValue(declared)}, which is not a supported dtype`, specs, { input: name, given: declared });
    }
    if (declared !== dtype) {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' has dtype ${declared}, expected ${dtype}`, specs, { input: name, expected: dtype, given: declared });
    }
  }
  // dtypeOfContainer knows only the exact containers (and Buffer), so a compatible answer is a fitting container
  const implied = dtypeOfContainer(data);
  if (implied === undefined || !containerCompatible(dtype, implied)) {
    const given = implied === undefined
      ? `data ${describeValue(data)}, which is not a typed array`
      : `dtype ${implied} (${(data as object).constructor.name})`;
    throw inputError('QAIC_INPUT_DTYPE', `input '${name}' has ${given}, expected ${dtype} (${containerName(dtype)})`, specs, {
      input: name, expected: dtype, given: implied ?? null,
    });
  }
  let typed = data as TensorData;
  if (Array.isArray(typed)) typed = checkedStrings(name, typed, specs);
  // A zero-element tensor is legitimate when the caller's shape says so (ONNX backend tests feed such inputs).
  if (isDetached(typed) && !(Array.isArray(shape) && (shape as unknown[]).includes(0)) && spec.shape !== null && spec.shape.every((d) => d !== 0)) {
    throw inputError('QAIC_INPUT_SHAPE', `input '${name}' is an empty or detached array: its buffer was transferred by an earlier run() (pass copy_inputs: true, or a fresh array per run)`, specs, { input: name });
  }
  if (shape === undefined) {
    if (spec.shape === null || spec.shape.some((d) => typeof d !== 'number')) {
      throw inputError('QAIC_INPUT_SHAPE', `input '${name}' was given as a bare ${(typed as object).constructor.name}, but its shape [${(spec.shape ?? []).map(formatDim).join(', ')}] is not fully fixed; pass {data, shape}`, specs, { input: name });
    }
    shape = spec.shape as number[];
  } else {
    // read the caller's array once, into a dense copy: holes become undefined (refused), and a proxy cannot answer
    // the check one way and the copy another
    shape = Array.isArray(shape) ? Array.from(shape as unknown[]) as number[] : shape;
    if (!isDimList(shape)) {
      throw inputError('QAIC_INPUT_SHAPE', `input '${name}' has shape ${describeValue(shape)}, expected an array of non-negative integers`, specs, { input: name });
    }
  }
  if (spec.shape !== null) {
    if (shape.length !== spec.shape.length) {
      throw inputError('QAIC_INPUT_SHAPE', `input '${name}' has rank ${shape.length} (shape [${shape.join(', ')}]), expected rank ${spec.shape.length}`, specs, {
        input: name, expected: spec.shape, given: [...shape],
      });
    }
    for (let i = 0; i < shape.length; i++) {
      const want = spec.shape[i];
      if (typeof want === 'number' && want !== shape[i]) {
        throw inputError('QAIC_INPUT_SHAPE', `input '${name}' has dimension ${i} = ${shape[i]} (shape [${shape.join(', ')}]), expected ${want}`, specs, {
          input: name, dim: i, expected: want, given: shape[i],
        });
      }
    }
  }
  const count = elementCount(shape);
  if (typed.length !== count) {
    throw inputError('QAIC_INPUT_SHAPE', `input '${name}' has ${typed.length} elements, but shape [${shape.join(', ')}] needs ${count}`, specs, {
      input: name, expected: count, given: typed.length,
    });
  }
  return { type: dtype, dims: [...shape], data: typed };
}

/** A lone UTF-16 surrogate: a string holding one cannot be encoded as UTF-8 without changing it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A string input's elements, read once into a fresh dense array (what crosses to the worker), each checked: a hole
 * or a non-string is refused, and so are strings onnxruntime-node would change silently: a NUL (C++ reads strings
 * NUL-terminated, so the rest would be lost) or a lone surrogate (UTF-8 encoding would replace it with U+FFFD).
 */
function checkedStrings(name: string, given: readonly unknown[], specs: readonly ValueSpec[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < given.length; i++) {
    const s = given[i];
    if (typeof s !== 'string') {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' element ${i} is ${i in given ? describeValue(s) : 'missing (a hole in a sparse array)'}, expected a string`, specs, { input: name, element: i });
    }
    if (s.includes('\u0000')) {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' element ${i} contains a NUL character (\\u0000), which onnxruntime-node truncates; strings must not contain NUL`, specs, {
        input: name, element: i,
      });
    }
    if (LONE_SURROGATE.test(s)) {
      throw inputError('QAIC_INPUT_DTYPE', `input '${name}' element ${i} contains a lone UTF-16 surrogate, which has no UTF-8 form (onnxruntime would receive U+FFFD instead); strings must be well-formed Unicode`, specs, {
        input: name, element: i,
      });
    }
    out.push(s);
  }
  return out;
}

/**
 * Take the inputs' memory over from the caller, on every engine, at `run()`: each input's buffer is either detached
 * from the caller's array now (its memory moves to the library without a copy) or copied. Copies are made when asked
 * (`copy`), for SharedArrayBuffers (onnxruntime rejects them), for views that do not cover their whole buffer
 * (detaching would take memory the caller did not hand over, e.g. pooled Node Buffers), for a buffer used by two
 * inputs, and for a buffer that cannot be detached (a WebAssembly memory's). Detaching here, not when the request
 * reaches an activation, means a run that waits in the queue cannot see later changes to the caller's arrays.
 * `tensors` is modified: each typed-array input's `data` becomes a view the library owns. Returns those views'
 * buffers, the list for `postMessage`'s transfer (the native engine copies them into onnxruntime's memory instead).
 */
export function prepareTransfer(tensors: WireTensor[], copy: boolean): ArrayBuffer[] {
  const transfer: ArrayBuffer[] = [];
  // the tensors whose own buffer is handed over as it is, detached below once every copy has been made (a copy of
  // a repeated buffer must read it before it is detached)
  let handOver: WireTensor[] | undefined;
  // buffers already listed: `transfer` itself for a few inputs, a Set (made on demand) for many
  let seen: Set<ArrayBufferLike> | undefined;
  for (const t of tensors) {
    if (Array.isArray(t.data)) continue;
    const view = t.data;
    const buffer = view.buffer;
    const whole = view.byteOffset === 0 && view.byteLength === buffer.byteLength;
    if (seen === undefined && transfer.length >= 8) seen = new Set(transfer);
    const repeated = seen !== undefined ? seen.has(buffer) : transfer.includes(buffer as ArrayBuffer);
    if (copy || !(buffer instanceof ArrayBuffer) || !whole || repeated) {
      copyInto(t);
      transfer.push(t.data.buffer as ArrayBuffer);
      continue;
    }
    seen?.add(buffer);
    transfer.push(buffer);
    (handOver ??= []).push(t);
  }
  if (handOver === undefined) return transfer;
  for (const t of handOver) {
    const view = t.data as Exclude<typeof t.data, string[]>;
    const index = transfer.indexOf(view.buffer as ArrayBuffer);
    let moved: ArrayBuffer;
    try {
      // a transfer moves the memory to a new ArrayBuffer and detaches the caller's, without copying (a few us)
      moved = structuredClone(view.buffer as ArrayBuffer, { transfer: [view.buffer as ArrayBuffer] });
    } catch {
      // not detachable (a WebAssembly.Memory's buffer, one already marked non-detachable): copied instead
      copyInto(t);
      transfer[index] = (t.data as Exclude<typeof t.data, string[]>).buffer as ArrayBuffer;
      continue;
    }
    t.data = viewOf(t.type as Exclude<typeof t.type, 'string'>, moved);
    transfer[index] = moved;
  }
  return transfer;
}

/** Replace a typed-array tensor's data by a fresh copy of its own. */
function copyInto(t: WireTensor): void {
  const view = t.data as Exclude<typeof t.data, string[]>;
  // not view.slice(): Buffer#slice returns a view on the same memory
  const fresh = allocate(t.type, view.length) as typeof view;
  (fresh as Uint8Array).set(view as Uint8Array);
  t.data = fresh;
}


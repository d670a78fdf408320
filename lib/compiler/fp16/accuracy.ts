/**
 * The float16 accuracy report: run a float32 model and its float16 conversion on the same inputs and measure, per
 * output, how far the float16 results moved. This is the evidence a user needs before deploying a float16
 * program: it runs at compile time (opt-in in the library, on by default in qaic-exec when converting).
 */
import type * as OrtModule from 'onnxruntime-node';
import { QaicError, describeValue } from '../../errors.js';
import { dtypeFromOnnx, type DType } from '../../dtypes.js';
import { decodeModel, modelIO, readModelFile, type ValueSpec } from '../../onnx/model.js';
import { float16ToFloat32Array, float32ToFloat16Array } from './half.js';

/** An input value for the accuracy run: a typed array with its shape. float16 inputs are given as float32. */
export interface AccuracyInput {
  /** the values, row-major; float16 inputs are given as float32 values and rounded by the run */
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array;
  /** the shape; its product must equal `data.length` (onnxruntime refuses a mismatch: `QAIC_RUN_FAILED`) */
  dims: readonly number[];
}

/** Options of {@link fp16Accuracy}. */
export interface AccuracyOptions {
  /** inputs by name; inputs not given are drawn at random (see `seed`) */
  inputs?: Readonly<Record<string, AccuracyInput>>;
  /** seed of the random inputs (uniform in [-1, 1) for floats, [0, 4) for integers). Default 0. */
  seed?: number;
  /** values of symbolic input dims, for random inputs (for instance `{ N: 1, H: 640 }`) */
  symbols?: Readonly<Record<string, number>>;
  /** onnxruntime intra-op threads per session. Default 1 (the machine is shared; the numbers do not depend on it). */
  threads?: number;
}

/** How far one output moved. */
export interface OutputAccuracy {
  /** output name in the model */
  name: string;
  /** shape of the output as the float32 model produced it */
  dims: number[];
  /** max |fp16 - fp32| over all elements (finite pairs) */
  maxAbsError: number;
  /** ||fp16 - fp32||_2 / ||fp32||_2 (the absolute L2 error when the float32 output is all zeros) */
  relativeL2Error: number;
  /** elements that are finite in float32 but inf/NaN in float16 */
  nonFinite: number;
  /**
   * For classification-shaped outputs ([N, C] with C > 1): the fraction of the N rows whose arg-max class is the
   * same in both. Absent for other shapes.
   */
  top1Agreement?: number;
}

/** The accuracy report of a float16 conversion. */
export interface AccuracyReport {
  /** where the inputs came from: 'random' (with its seed), 'given', or 'mixed' */
  inputs: 'random' | 'given' | 'mixed';
  /** seed the random inputs were drawn with ({@link AccuracyOptions.seed}, default 0); recorded even when every input was given */
  seed: number;
  /** one entry per model output, in the model's output order */
  outputs: OutputAccuracy[];
  /** the worst relative L2 error over all outputs */
  worstRelativeL2Error: number;
}

type Ort = typeof OrtModule;
type OrtTensor = OrtModule.Tensor;

// Loaded on first use: importing qaic must not load onnxruntime's native addon on the caller's thread.
let ortPromise: Promise<Ort> | undefined;
function loadOrt(): Promise<Ort> {
  return (ortPromise ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: Ort }).default ?? m)));
}

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function load(source: Uint8Array | string, what: string): { bytes: Uint8Array | string; io: { inputs: ValueSpec[]; outputs: ValueSpec[] } } {
  if (typeof source === 'string') return { bytes: source, io: modelIO(readModelFile(source).model) };
  if (source instanceof Uint8Array) return { bytes: source, io: modelIO(decodeModel(source, what)) };
  throw new QaicError('QAIC_INVALID_ARGUMENT', `fp16Accuracy expected the ${what} as ONNX bytes (Uint8Array) or a file path, got ${describeValue(source)}`);
}

/**
 * Who draws random inputs, for the errors of {@link resolveDims} and {@link randomData}: the function to name and
 * where its caller gives a symbol's value or the input itself.
 */
export interface RandomInputCaller {
  /** the public function, e.g. 'fp16Accuracy' */
  name: string;
  /** the option that gives symbol `symbol` a value, with an example */
  symbols: (symbol: string) => string;
  /** the option that gives input `input` (or, without one, the inputs) instead */
  inputs: (input?: string) => string;
}

/** {@link fp16Accuracy}: `options.symbols` and `options.inputs`. */
const FP16_ACCURACY: RandomInputCaller = {
  name: 'fp16Accuracy',
  symbols: (symbol) => `options.symbols (e.g. { ${symbol}: 1 })`,
  inputs: (input) => (input === undefined ? 'options.inputs' : `options.inputs['${input}']`),
};

/**
 * The dims of `spec` with its symbols given values; throws `QAIC_INVALID_ARGUMENT` naming an open dim and what
 * `caller` (default fp16Accuracy) takes to close it.
 */
export function resolveDims(spec: ValueSpec, symbols: Readonly<Record<string, number>>, caller: RandomInputCaller = FP16_ACCURACY): number[] {
  if (spec.shape === null) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `${caller.name} cannot draw a random value for input '${spec.name}': the model declares no shape; pass ${caller.inputs(spec.name)}`, { details: { input: spec.name } });
  }
  return spec.shape.map((d, k) => {
    if (typeof d === 'number') return d;
    const value = typeof d === 'string' ? symbols[d] : undefined;
    if (value === undefined || !Number.isInteger(value) || value < 1) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `${caller.name} cannot draw a random value for input '${spec.name}': dim ${k} is ${d === null ? 'anonymous' : `'${d}'`}; pass ${caller.symbols(typeof d === 'string' ? d : 'N')} or ${caller.inputs(spec.name)}`, {
        details: { input: spec.name, dim: k, symbol: d },
      });
    }
    return value;
  });
}

/** `count` seeded random values of `dtype` (uniform in [-1, 1) for floats, [0, 4) for integers). */
export function randomData(dtype: DType, count: number, next: () => number, caller: RandomInputCaller = FP16_ACCURACY): AccuracyInput['data'] {
  switch (dtype) {
    case 'float32': case 'float16': return Float32Array.from({ length: count }, () => next() * 2 - 1);
    case 'float64': return Float64Array.from({ length: count }, () => next() * 2 - 1);
    case 'int64': return BigInt64Array.from({ length: count }, () => BigInt(Math.floor(next() * 4)));
    case 'int32': return Int32Array.from({ length: count }, () => Math.floor(next() * 4));
    case 'bool': case 'uint8': return Uint8Array.from({ length: count }, () => Math.floor(next() * (dtype === 'bool' ? 2 : 4)));
    case 'int8': return Int8Array.from({ length: count }, () => Math.floor(next() * 4));
    default:
      throw new QaicError('QAIC_INVALID_ARGUMENT', `${caller.name} cannot draw random ${dtype} inputs; pass ${caller.inputs()}`);
  }
}

/** Feed a value to a session input of `dtype`, converting float32 to float16 bits where the model wants float16. */
function toTensor(ort: Ort, value: AccuracyInput, dtype: DType | undefined): OrtTensor {
  const dims = [...value.dims];
  if (dtype === 'float16') {
    const f32 = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data as ArrayLike<number>);
    return new ort.Tensor('float16', float32ToFloat16Array(f32).bits, dims);
  }
  return new ort.Tensor((dtype ?? 'float32') as 'float32', value.data as Float32Array, dims);
}

function asNumbers(tensor: OrtTensor): Float64Array {
  if (tensor.type === 'float16') return Float64Array.from(float16ToFloat32Array(tensor.data as Uint16Array));
  const data = tensor.data as ArrayLike<number | bigint>;
  return Float64Array.from({ length: data.length }, (_, i) => Number(data[i]));
}

/** Compare one output of the float32 and float16 runs. */
export function compareOutput(name: string, dims: readonly number[], fp32: Float64Array, fp16: Float64Array): OutputAccuracy {
  let maxAbs = 0;
  let diff2 = 0;
  let ref2 = 0;
  let nonFinite = 0;
  for (let i = 0; i < fp32.length; i++) {
    const a = fp32[i]!;
    const b = fp16[i]!;
    if (!Number.isFinite(a)) continue;
    if (!Number.isFinite(b)) { nonFinite++; continue; }
    const d = Math.abs(a - b);
    if (d > maxAbs) maxAbs = d;
    diff2 += d * d;
    ref2 += a * a;
  }
  const result: OutputAccuracy = {
    name, dims: [...dims], maxAbsError: maxAbs,
    relativeL2Error: ref2 > 0 ? Math.sqrt(diff2 / ref2) : Math.sqrt(diff2),
    nonFinite,
  };
  if (dims.length === 2 && dims[1]! > 1) {
    const [rows, classes] = [dims[0]!, dims[1]!];
    let agree = 0;
    for (let r = 0; r < rows; r++) {
      let best32 = 0;
      let best16 = 0;
      for (let c = 1; c < classes; c++) {
        if (fp32[r * classes + c]! > fp32[r * classes + best32]!) best32 = c;
        if (fp16[r * classes + c]! > fp16[r * classes + best16]!) best16 = c;
      }
      if (best32 === best16) agree++;
    }
    result.top1Agreement = rows > 0 ? agree / rows : 1;
  }
  return result;
}

/**
 * Run the float32 and float16 versions of a model on the same inputs and report, per output, the maximum absolute
 * error, the relative L2 error and (for [N, C] outputs) top-1 agreement. A compile-time tool: the two models run
 * one after the other on the calling thread (onnxruntime's run blocks it while it computes).
 *
 * @param fp32 the float32 model (bytes or path); @param fp16 its float16 conversion (bytes or path)
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when an input cannot be drawn at random (symbolic dim without
 *   `symbols`, unsupported dtype) or the two models' inputs/outputs differ; `QAIC_RUN_FAILED` when onnxruntime
 *   cannot load or run either model (the message says which).
 */
export async function fp16Accuracy(fp32: Uint8Array | string, fp16: Uint8Array | string, options: AccuracyOptions = {}): Promise<AccuracyReport> {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new QaicError('QAIC_INVALID_ARGUMENT', `fp16Accuracy seed must be an integer, got ${describeValue(seed)}`);
  const a = load(fp32, 'float32 model');
  const b = load(fp16, 'float16 model');
  const names = (specs: ValueSpec[]) => specs.map((s) => s.name).join(',');
  if (names(a.io.inputs) !== names(b.io.inputs) || names(a.io.outputs) !== names(b.io.outputs)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `fp16Accuracy expected two versions of one model, but their inputs/outputs differ: [${names(a.io.inputs)}] -> [${names(a.io.outputs)}] vs [${names(b.io.inputs)}] -> [${names(b.io.outputs)}]`);
  }
  const given = options.inputs ?? {};
  for (const name of Object.keys(given)) {
    if (!a.io.inputs.some((s) => s.name === name)) {
      throw new QaicError('QAIC_INPUT_UNKNOWN', `fp16Accuracy got input '${name}', which the model does not have (inputs: ${names(a.io.inputs)})`);
    }
  }
  const next = prng(seed);
  const values: Record<string, AccuracyInput> = {};
  let drawn = 0;
  for (const spec of a.io.inputs) {
    const provided = given[spec.name];
    if (provided !== undefined) { values[spec.name] = provided; continue; }
    const dims = resolveDims(spec, options.symbols ?? {});
    const dtype = spec.dtype ?? dtypeFromOnnx(spec.onnxType);
    if (dtype === undefined) throw new QaicError('QAIC_INVALID_ARGUMENT', `fp16Accuracy cannot draw input '${spec.name}' of ONNX type ${spec.onnxType}; pass options.inputs`);
    values[spec.name] = { data: randomData(dtype, dims.reduce((x, y) => x * y, 1), next), dims };
    drawn++;
  }
  const sessionOptions = { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 };
  const ort = await loadOrt();
  const run = async (source: Uint8Array | string, specs: ValueSpec[], which: string) => {
    let session: OrtModule.InferenceSession | undefined;
    try {
      session = typeof source === 'string' ? await ort.InferenceSession.create(source, sessionOptions) : await ort.InferenceSession.create(source, sessionOptions);
      const feeds: Record<string, OrtTensor> = {};
      for (const spec of specs) feeds[spec.name] = toTensor(ort, values[spec.name]!, spec.dtype);
      return await session.run(feeds);
    } catch (error) {
      if (error instanceof QaicError) throw error;
      throw new QaicError('QAIC_RUN_FAILED', `fp16Accuracy could not run the ${which} model: ${(error as Error).message}`, { cause: error });
    } finally {
      await session?.release();
    }
  };
  const outA = await run(a.bytes, a.io.inputs, 'float32');
  const outB = await run(b.bytes, b.io.inputs, 'float16');
  const outputs = a.io.outputs.map((spec) => {
    const ta = outA[spec.name]!;
    const tb = outB[spec.name]!;
    return compareOutput(spec.name, ta.dims, asNumbers(ta), asNumbers(tb));
  });
  return {
    inputs: drawn === 0 ? 'given' : drawn === a.io.inputs.length ? 'random' : 'mixed',
    seed,
    outputs,
    worstRelativeL2Error: outputs.reduce((m, o) => Math.max(m, o.relativeL2Error), 0),
  };
}

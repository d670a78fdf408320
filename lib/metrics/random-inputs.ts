/**
 * Random inputs made from a model's input specs, for benchmarks run without user data (the SDK's "bounded random
 * inputs"). Values are bounded so they are valid for most models: floats uniform in [0, 1), integers uniform in
 * {0, ..., 9}, bools 0/1, strings of 8 lowercase letters. Inputs used as indices (token ids, gather indices) may
 * need real data: pass `inputs` to `runBenchmark()` then.
 */
import { QaicError } from '../errors.js';
import { isDType, type DType, type TensorData } from '../dtypes.js';
import type { Dim } from '../onnx/model.js';
import type { InputTensor } from '../tensor.js';

function float16Bits(v: number): number {
  // v in [0, 1): exact enough for random data; subnormals flush to 0.
  if (v === 0) return 0;
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return 0;
  return (exp << 10) | ((bits >>> 13) & 0x3ff);
}

/** A fast, seedable uniform [0, 1) generator (xorshift32): random input data needs speed, not quality. */
function xorshift(seed = 0x9e3779b9): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function fill<T extends { length: number; [i: number]: number }>(out: T, next: () => number): T {
  for (let i = 0; i < out.length; i++) out[i] = next();
  return out;
}

/** Random data of `dtype` with `length` elements. */
export function randomData(dtype: DType, length: number, random: () => number = xorshift()): TensorData {
  const int = (): number => Math.floor(random() * 10);
  switch (dtype) {
    case 'float32': return fill(new Float32Array(length), random);
    case 'float64': return fill(new Float64Array(length), random);
    case 'float16': return fill(new Uint16Array(length), () => float16Bits(random()));
    case 'int8': return fill(new Int8Array(length), int);
    case 'uint8': return fill(new Uint8Array(length), int);
    case 'int16': return fill(new Int16Array(length), int);
    case 'uint16': return fill(new Uint16Array(length), int);
    case 'int32': return fill(new Int32Array(length), int);
    case 'uint32': return fill(new Uint32Array(length), int);
    case 'int64': return BigInt64Array.from({ length }, () => BigInt(int()));
    case 'uint64': return BigUint64Array.from({ length }, () => BigInt(int()));
    case 'bool': return fill(new Uint8Array(length), () => (random() < 0.5 ? 0 : 1));
    case 'string': return Array.from({ length }, () => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''));
  }
}

/**
 * One random tensor per input of a shape dictionary (`session.modelInputShapeDict`).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when an input's shape is not fully known (a symbolic dimension without
 *   an `onnx_define_symbol` value) or its dtype cannot be fed; the message names the input and the dimension.
 */
export function randomInputs(shapes: Record<string, [Dim[], string]>): Record<string, InputTensor> {
  const out: Record<string, InputTensor> = {};
  for (const [name, [shape, dtype]] of Object.entries(shapes)) {
    if (!isDType(dtype)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot make random data for input '${name}': its element type ${dtype} cannot be fed from JavaScript; pass inputs explicitly`, {
        details: { input: name },
      });
    }
    const unknown = shape.find((d) => typeof d !== 'number');
    if (unknown !== undefined) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot make random data for input '${name}': dimension ${JSON.stringify(unknown)} of shape [${shape.map((d) => JSON.stringify(d)).join(', ')}] is not fixed; set it with onnx_define_symbol or pass inputs explicitly`, {
        details: { input: name, dim: unknown },
      });
    }
    const dims = shape as number[];
    out[name] = { data: randomData(dtype, dims.reduce((a, b) => a * b, 1)), shape: dims, dtype };
  }
  return out;
}

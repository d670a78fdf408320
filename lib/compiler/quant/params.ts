/**
 * Quantization parameters (scale and zero point) from a real range, for each of the SDK's quantization schemas.
 *
 * The SDK documents its schemas with Glow's semantics (`chooseQuantizationParams`): the range is first widened to
 * contain 0 (so that zero padding is exact), then
 * - `asymmetric`: the zero point is free: scale = (max - min) / 255, zero point = round(qmin - min / scale);
 * - `symmetric`: the zero point is the middle of the range: scale = 2 * max(|min|, |max|) / 255;
 * - `symmetric_with_uint8`: a range with min >= 0 uses the whole unsigned range (scale = max / 255, zero point at
 *   the bottom); any other range falls back to `symmetric`;
 * - `symmetric_with_power2_scale`: `symmetric`, then the scale is rounded up to a power of two.
 * A zero scale (an all-zero range) becomes 0.1, as in Glow.
 *
 * onnxruntime's x86 CPU provider fuses a QDQ Conv or MatMul into int8 kernels only with uint8 activations and int8
 * weights (U8S8; int8 activations are rewritten to uint8 when they have one consumer, and fused S8S8 kernels need
 * AVX-VNNI-INT8), so activations are expressed as uint8 (a symmetric range has zero point 128, the uint8 image of
 * int8's 0) and weights as int8. Weights use the symmetric int8 range [-127, 127] (scale = max|w| / 127), which
 * keeps every per-channel zero point at 0, as the CPU's QLinearConv requires of per-channel weights.
 */
import { QaicError } from '../../errors.js';

/** The SDK's quantization schemas (`quantization_schema_activations` / `quantization_schema_constants`). */
export const QUANTIZATION_SCHEMAS = ['asymmetric', 'symmetric', 'symmetric_with_uint8', 'symmetric_with_power2_scale'] as const;

/** One of {@link QUANTIZATION_SCHEMAS}. */
export type QuantizationSchema = (typeof QUANTIZATION_SCHEMAS)[number];

/** The integer type a tensor is quantized to, as the ONNX QuantizeLinear zero point's type. */
export type QuantizedType = 'uint8' | 'int8';

/** Scale and zero point of one tensor (or one channel), in ONNX's convention x = (q - zeroPoint) * scale. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
  type: QuantizedType;
}

/** The scale Glow uses when a range is empty (min = max = 0). */
export const EMPTY_RANGE_SCALE = 0.1;

/** Float32 rounding, so that parameters are exactly what an ONNX float scale initializer holds. */
const f32 = Math.fround;

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  // "+ 0" turns -0 (Math.round(-0.5)) into 0
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

function checkRange(min: number, max: number, what: string): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot quantize ${what}: its range [${min}, ${max}] is not a finite interval`, { details: { tensor: what, min, max } });
  }
}

/** The smallest power of two at least `x` (x > 0). */
function power2AtLeast(x: number): number {
  return 2 ** Math.ceil(Math.log2(x));
}

/**
 * Parameters for an activation tensor with real range [min, max] under `schema`, as uint8 (see the module note).
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when the range is not finite or min > max.
 */
export function activationParams(min: number, max: number, schema: QuantizationSchema, what = 'a tensor'): QuantParams {
  checkRange(min, max, what);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (schema === 'asymmetric') {
    const scale = hi - lo === 0 ? EMPTY_RANGE_SCALE : f32((hi - lo) / 255);
    // the quotient in float32, as onnxruntime's and numpy's float32 arithmetic computes it (1 / f32(2/255) is 127.5)
    const zeroPoint = Math.min(255, Math.max(0, roundHalfToEven(f32(-lo / scale))));
    return { scale, zeroPoint, type: 'uint8' };
  }
  if (schema === 'symmetric_with_uint8' && lo >= 0) {
    return { scale: hi === 0 ? EMPTY_RANGE_SCALE : f32(hi / 255), zeroPoint: 0, type: 'uint8' };
  }
  const absMax = Math.max(-lo, hi);
  let scale = absMax === 0 ? EMPTY_RANGE_SCALE : f32((2 * absMax) / 255);
  if (schema === 'symmetric_with_power2_scale') scale = power2AtLeast(scale);
  return { scale, zeroPoint: 128, type: 'uint8' };
}

/**
 * Parameters for a constant (weight) with real range [min, max] under `schema`, as int8. Symmetric schemas use
 * [-127, 127] with zero point 0; `asymmetric` uses [-128, 127] with a free zero point; `symmetric_with_uint8` is
 * symmetric for weights (an all-positive weight still gets zero point 0, keeping per-channel zero points equal).
 * With `bits` 7 (hosts whose int8 kernels saturate, see `weight-range.ts`) the ranges are [-63, 63] and [-64, 63].
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when the range is not finite or min > max.
 */
export function weightParams(min: number, max: number, schema: QuantizationSchema, what = 'a weight', bits: 7 | 8 = 8): QuantParams {
  checkRange(min, max, what);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  // the integer range the weights may use: [qmin, qmax] ([-128, 127] at 8 bits, [-64, 63] at 7)
  const qmax = bits === 8 ? 127 : 63;
  const qmin = -qmax - 1;
  if (schema === 'asymmetric') {
    const scale = hi - lo === 0 ? EMPTY_RANGE_SCALE : f32((hi - lo) / (qmax - qmin));
    const zeroPoint = Math.min(qmax, Math.max(qmin, roundHalfToEven(qmin - f32(lo / scale))));
    return { scale, zeroPoint, type: 'int8' };
  }
  const absMax = Math.max(-lo, hi);
  let scale = absMax === 0 ? EMPTY_RANGE_SCALE : f32(absMax / qmax);
  if (schema === 'symmetric_with_power2_scale') scale = power2AtLeast(scale);
  return { scale, zeroPoint: 0, type: 'int8' };
}

/** The bias scale onnxruntime's QLinearConv expects: input scale x weight scale, zero point 0, int32. */
export function biasScale(inputScale: number, weightScale: number): number {
  return f32(inputScale * weightScale);
}

/** Quantize one value: q = saturate(roundHalfToEven(x / scale) + zeroPoint), as ONNX QuantizeLinear. */
export function quantizeValue(x: number, p: QuantParams): number {
  const [qmin, qmax] = p.type === 'uint8' ? [0, 255] : [-128, 127];
  return Math.min(qmax, Math.max(qmin, roundHalfToEven(x / p.scale) + p.zeroPoint));
}

/** Dequantize one value: x = (q - zeroPoint) * scale, as ONNX DequantizeLinear. */
export function dequantizeValue(q: number, p: QuantParams): number {
  return (q - p.zeroPoint) * p.scale;
}

/**
 * Quantize a bias to int32 with scale `scale` and zero point 0, saturating at the int32 range (a saturated element
 * is counted, so that the caller can report it rather than silently clip).
 */
export function quantizeBias(bias: Float32Array, scale: number | Float32Array): { data: Int32Array; saturated: number } {
  const out = new Int32Array(bias.length);
  let saturated = 0;
  for (let i = 0; i < bias.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i]!;
    const q = roundHalfToEven(bias[i]! / s);
    if (q > 2147483647 || q < -2147483648) saturated++;
    out[i] = Math.min(2147483647, Math.max(-2147483648, q));
  }
  return { data: out, saturated };
}

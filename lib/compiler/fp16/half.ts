/**
 * Exact IEEE 754 binary32 <-> binary16 conversion. Node 20 has no `Float16Array`, so float16 values travel as their
 * raw bits in a `Uint16Array`; these functions are the one place that turns bits into numbers and back.
 *
 * float32 -> float16 rounds to nearest, ties to even (the IEEE default, and what onnxruntime's `Cast` and numpy's
 * `astype(np.float16)` do), produces subnormals below 2^-14, overflows to infinity at and above 65520 (the midpoint
 * between 65504 and 2^16), keeps the sign of zero, and keeps NaN a NaN (payload truncated, quiet bit forced, so a
 * NaN never turns into infinity).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Largest finite float16 value (0x7bff). */
export const FLOAT16_MAX = 65504;
/** Smallest positive normal float16 value (0x0400), 2^-14. */
export const FLOAT16_MIN_NORMAL = 2 ** -14;
/** Smallest positive subnormal float16 value (0x0001), 2^-24. */
export const FLOAT16_MIN_SUBNORMAL = 2 ** -24;

/** float16 bits of a float32 bit pattern (round to nearest, ties to even). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Inf stays Inf; NaN keeps its top payload bits and gets the quiet bit so it can never read as infinity.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  // Unbiased exponent, rebiased for float16 (bias 15 instead of 127).
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal (or zero) in float16. Shifts of more than 24 leave nothing that could round up to 2^-24.
    if (e < -10) return sign;
    const full = mantissa | 0x800000; // restore the implicit leading 1 (24 significant bits)
    const shift = 14 - e; // bits to drop so that the result counts units of 2^-24
    const half = 1 << (shift - 1);
    const rest = full & ((1 << shift) - 1);
    let result = full >>> shift;
    if (rest > half || (rest === half && (result & 1) === 1)) result += 1; // may carry into the smallest normal: correct
    return sign | result;
  }
  // Normal: keep 10 mantissa bits, round the 13 dropped ones. A carry out of the mantissa bumps the exponent, and
  // a carry out of exponent 30 gives 0x7c00 (infinity), both exactly right.
  const rest = mantissa & 0x1fff;
  let result = (e << 10) | (mantissa >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result += 1;
  return sign | result;
}

/** float16 bits of a number (first rounded to float32, as a Float32Array store would, then to float16). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  return float32BitsToFloat16Bits(u32[0]!);
}

/** The number a float16 bit pattern stands for (exact: every float16 is a float32 and a double). */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * FLOAT16_MIN_SUBNORMAL;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** What converting a float32 array to float16 did to its values. */
export interface HalfConversionStats {
  /** finite values whose magnitude exceeds the float16 range: they became +-inf (or +-65504 when clipped) */
  overflow: number;
  /** non-zero values that became (signed) zero */
  underflow: number;
  /** non-zero values that landed on a float16 subnormal (precision below 11 bits) */
  subnormal: number;
  /** the largest finite |value| in the input (0 for an empty array) */
  maxAbs: number;
}

/**
 * Convert float32 values to float16 bits.
 *
 * @param clip when true, finite values beyond +-65504 become +-65504 instead of +-infinity (the SDK recipes'
 *   `fix_onnx_fp16` clipping); infinities and NaN stay what they are either way.
 */
export function float32ToFloat16Array(values: Float32Array, clip = false): { bits: Uint16Array; stats: HalfConversionStats } {
  const bits = new Uint16Array(values.length);
  const source = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const stats: HalfConversionStats = { overflow: 0, underflow: 0, subnormal: 0, maxAbs: 0 };
  for (let i = 0; i < values.length; i++) {
    const raw = source[i]!;
    let half = float32BitsToFloat16Bits(raw);
    const magnitude = half & 0x7fff;
    const sourceMagnitude = raw & 0x7fffffff;
    if (sourceMagnitude < 0x7f800000) {
      const abs = Math.abs(values[i]!);
      if (abs > stats.maxAbs) stats.maxAbs = abs;
      if (magnitude === 0x7c00) {
        stats.overflow++;
        if (clip) half = (half & 0x8000) | 0x7bff;
      } else if (magnitude === 0 && sourceMagnitude !== 0) {
        stats.underflow++;
      } else if (magnitude < 0x0400 && magnitude !== 0) {
        stats.subnormal++;
      }
    }
    bits[i] = half;
  }
  return { bits, stats };
}

/** Convert float16 bits to float32 values (exact). */
export function float16ToFloat32Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  // A 65536-entry table would be faster for huge tensors; conversion happens once per compile, so clarity wins.
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]!);
  return out;
}

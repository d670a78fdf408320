/**
 * How many bits int8 weights may use on this host's int8 kernels.
 *
 * onnxruntime's x86 CPU provider runs a fused QDQ Conv or MatMul on MLAS's U8S8 kernels. Without VNNI (AVX2 only),
 * those multiply uint8 activations by int8 weights with `vpmaddubsw`, which adds each pair of products into a
 * saturating int16: 2 x 255 x 127 = 64,770 overflows it, and the saturated sums are wrong in silence. Weights held to
 * 7 bits ([-63, 63]; 2 x 255 x 63 = 32,130 fits) cannot saturate, which is what onnxruntime's own quantizer does with
 * `reduce_range` and recommends for hosts without VNNI. With AVX-512 VNNI, AVX-VNNI or AMX the products are summed in
 * int32 and weights use the full 8 bits. Measured on an AVX2-only EPYC: a small CNN's output relative L2 went from
 * 0.137 (8-bit weights) to the VNNI host's level once the weights used 7 bits.
 */
import { hostCpuFeatures } from '../../program/host.js';

/** The x86 flags (Linux `/proc/cpuinfo` names) whose int8 dot products accumulate in int32 without saturating. */
export const INT8_DOT_PRODUCT_FLAGS: readonly string[] = ['avx512_vnni', 'avx_vnni', 'amx_int8'];

/** The weight range the int8 pass uses on this host, and why. */
export interface WeightRange {
  /** 8: [-127, 127] (asymmetric [-128, 127]); 7: [-63, 63] (asymmetric [-64, 63]) */
  bits: 7 | 8;
  /** why, in words (for the compile report) */
  reason: string;
}

/**
 * The int8 weight range for a host with these CPU features on this architecture: 7 bits on x86 without an int8 dot
 * product instruction, 8 elsewhere (arm64's kernels accumulate in int32 too).
 *
 * @param features the host's CPU flags (default: this host's)
 * @param arch the host's architecture (default: this process's)
 */
export function int8WeightRange(features: ReadonlySet<string> = hostCpuFeatures(), arch: string = process.arch): WeightRange {
  if (arch !== 'x64' && arch !== 'ia32') return { bits: 8, reason: `${arch}: onnxruntime's int8 kernels accumulate in int32` };
  const found = INT8_DOT_PRODUCT_FLAGS.filter((f) => features.has(f));
  if (found.length > 0) return { bits: 8, reason: `this CPU has ${found.join(', ')}: int8 products accumulate in int32` };
  return { bits: 7, reason: `this CPU has no ${INT8_DOT_PRODUCT_FLAGS.join(', ')}: onnxruntime's AVX2 int8 kernels add pairs of 8-bit products into saturating int16, so weights use 7 bits (as onnxruntime's reduce_range)` };
}

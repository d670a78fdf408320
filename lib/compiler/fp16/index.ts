/**
 * `convert_to_fp16`: the float16 precision pass and its accuracy report.
 *
 * Contract with the compiler (lib/compiler/build-program.ts does exactly this):
 * 1. After fixing dims, call {@link convertToFp16} and optimize its output with onnxruntime (level 'all').
 * 2. Call {@link storeWeightsAsFloat16} on the optimized graph before storing it. onnxruntime's constant folding
 *    turns every `Cast(float16 weight -> float)` the pass inserted into a float32 initializer; without this step the
 *    program stores float32-sized weights again (PP-OCRv4 det: 4,881,216 bytes in both programs). The step is
 *    lossless: only tensors whose values are all float16 values are stored as float16.
 * 3. Activations may load the program with optimizations 'disabled' (the weight casts then run on every
 *    inference) or 'basic' (they are folded in memory at load; measured on PP-OCR cls: 0.546 -> 0.508 ms median per inference).
 * 4. Print `report.warnings` (the SDK's underflow/overflow lines) and keep `report` in the compile report.
 * 5. qaic-exec prints {@link fp16Accuracy}'s report after a float16 compile (see compile-accuracy.ts).
 *
 * @packageDocumentation
 */
export { convertToFp16, sdkWarning } from './convert.js';
export type { Fp16Options, Fp16Report, Fp16TensorIssue, KeepReason } from './convert.js';
export { fp16Accuracy, compareOutput } from './accuracy.js';
export type { AccuracyInput, AccuracyOptions, AccuracyReport, OutputAccuracy } from './accuracy.js';
export {
  FLOAT16_MAX, FLOAT16_MIN_NORMAL, FLOAT16_MIN_SUBNORMAL,
  float16ToFloat32Array, float32BitsToFloat16Bits, float32ToFloat16Array, fromFloat16Bits, toFloat16Bits,
} from './half.js';
export type { HalfConversionStats } from './half.js';
export { FP16_CPU_KERNELS, hasFp16Kernel } from './kernels.js';
export { storeWeightsAsFloat16 } from './store-weights.js';
export type { WeightStorageReport } from './store-weights.js';

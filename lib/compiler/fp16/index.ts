/**
 * `convert_to_fp16`: the float16 precision pass and its accuracy report.
 *
 * Contract with the compiler (lib/compiler/compile.ts):
 * 1. Run onnxruntime's ahead-of-time graph optimizations on the float32 model first, then call
 *    {@link convertToFp16} on the result, and store the converted model as it is. Do not optimize-and-save after
 *    the pass: constant folding turns every `Cast(float16 weight -> float)` back into a float32 initializer, which
 *    doubles the stored weights again. Activations load the stored float16 program at any optimization level; the
 *    folding then happens in memory at load time, which is what makes the casts free at run time.
 * 2. Print `report.warnings` (the SDK's underflow/overflow warning lines) and keep `report` in the program's
 *    compile report.
 * 3. When asked for accuracy (default in qaic-exec), call {@link fp16Accuracy} with the float32 and float16 model
 *    bytes and keep its result next to the report.
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

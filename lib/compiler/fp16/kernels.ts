/**
 * What onnxruntime's CPU execution provider can compute in float16, and which operator inputs carry data (as
 * opposed to shapes, axes, scales or thresholds). These tables drive the float16 pass; they are facts about
 * onnxruntime-node 1.30 on x86-64, not guesses.
 *
 * Where the facts come from: onnxruntime's `docs/OperatorKernels.md` (the generated list of registered CPU kernels
 * and their type constraints), checked on this machine by loading one-node float16 models with graph optimizations
 * disabled and saving the resolved graph: an operator without a float16 kernel comes back wrapped in `Cast` nodes
 * that onnxruntime's own `InsertCastTransformer` added. `test/compiler/fp16/kernel-table.test.ts` repeats that check
 * for every row, so an onnxruntime upgrade that changes the set makes the test fail rather than the table lie.
 *
 * The x86 CPU provider has float16 kernels only for data movement and a handful of elementwise operators. Conv,
 * MatMul, Gemm, Add, Mul, Relu, Sigmoid, Softmax, the pools, the reductions, Resize and Pad all compute in float32
 * there (onnxruntime inserts casts around them when fed float16). The pass therefore keeps activations in float16
 * between operators, as the device does, and widens them to float32 around those operators.
 */

/** One operator with a float16 CPU kernel. */
export interface Fp16Kernel {
  /** lowest opset version of the default domain at which the float16 kernel is registered */
  since: number;
}

/**
 * Operators of the default ONNX domain that onnxruntime-node 1.30's CPU provider runs natively in float16.
 * `since` is conservative: below it the pass treats the operator as float32-only (which is always correct, only
 * slower). Max, Min and Clip gained float16 kernels at opset 12 (probed: Cast nodes are inserted at opset 11).
 */
export const FP16_CPU_KERNELS: Readonly<Record<string, Fp16Kernel>> = {
  Identity: { since: 1 },
  Reshape: { since: 5 },
  Flatten: { since: 1 },
  Squeeze: { since: 1 },
  Unsqueeze: { since: 1 },
  Transpose: { since: 1 },
  Concat: { since: 4 },
  Split: { since: 2 },
  Slice: { since: 10 },
  Gather: { since: 1 },
  GatherElements: { since: 11 },
  GatherND: { since: 11 },
  ScatterND: { since: 11 },
  ScatterElements: { since: 11 },
  Expand: { since: 8 },
  Compress: { since: 9 },
  Clip: { since: 12 },
  Max: { since: 12 },
  Min: { since: 12 },
  Round: { since: 11 },
  Sign: { since: 9 },
  Mod: { since: 10 },
  Shrink: { since: 9 },
  LayerNormalization: { since: 17 },
};

/** True when the CPU provider runs `opType` (default domain) in float16 at `opset`. */
export function hasFp16Kernel(opType: string, domain: string, opset: number): boolean {
  if (domain !== '' && domain !== 'ai.onnx') return false;
  const kernel = FP16_CPU_KERNELS[opType];
  return kernel !== undefined && opset >= kernel.since;
}

/**
 * For operators whose float inputs are not all data: the input positions that carry data of the node's float type
 * `T`. Other float inputs (Resize scales, Dropout ratio, NonMaxSuppression thresholds) keep float32 and their
 * original values. Operators not listed treat every float input as data.
 */
export const DATA_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [0],
  Upsample: [0],
  Dropout: [0],
  Pad: [0, 2],
  NonMaxSuppression: [0, 1],
  RoiAlign: [0, 1],
  // Running mean and variance are statistics, not data: PP-OCRv4 det has a variance of 9.8e7, which float16 turns
  // into infinity (and the output into zeros). The device compiler folds them into the preceding Conv in float32;
  // keeping them float32 here gives the same numbers. Their bytes are negligible.
  BatchNormalization: [0, 1, 2],
};

/**
 * Input positions that hold shapes, sizes, axes or counts. Any float arithmetic that feeds them (for instance
 * `Cast(Mul(Cast(Shape(x)), 2.0))` feeding a Resize `sizes`) is shape computation: float16 could round a size, so
 * the nodes that compute these values stay float32.
 */
export const SHAPE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Resize: [1, 2, 3],
  Upsample: [1],
  ConstantOfShape: [0],
  Range: [0, 1, 2],
  Pad: [1, 3],
  TopK: [1],
  OneHot: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Split: [1],
  ReduceMean: [1],
  ReduceSum: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceLogSum: [1],
  ReduceLogSumExp: [1],
  ReduceSumSquare: [1],
  CumSum: [1],
  NonMaxSuppression: [2, 3, 4],
};

/**
 * Operators that always stay float32: their float outputs are random numbers or shape values, so rounding them
 * to float16 would change their meaning rather than their precision.
 */
export const ALWAYS_FLOAT32 = new Set([
  'Range', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli',
  'NonMaxSuppression', 'EyeLike',
]);

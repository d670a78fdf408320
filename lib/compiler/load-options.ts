/**
 * How activations load a compiled graph: the graph was optimized at level 'all' at compile time, so loading skips
 * optimization ('disabled' keeps the stored NCHWc layout: loading an 'all' graph at 'disabled' is bit-identical to
 * optimizing at load) and prepacking (prepacked weights are private copies per session; without them every activation
 * maps the same weight bytes). Measured with onnxruntime-node 1.30 on a 2-core VM: PP-OCRv4 det is created in 31 ms
 * from its saved 'all' graph at 'disabled' against 44 ms when optimized at load; PP-OCRv4 rec in 26 ms against 60 ms
 * (about 2× faster), with the same run time (17.3 ms) and 13 MiB of memory per extra session instead of 39 MiB (the
 * weights then live once in the page cache, shared).
 */
export const ACTIVATION_LOAD_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  graphOptimizationLevel: 'disabled',
  extra: { session: { disable_prepacking: '1' } },
});

/**
 * Load options of one compiled graph (`int8`: a program of the int8 pass). float16 programs load at 'basic': their
 * weights are stored as float16 and feed Casts to float32 (the CPU provider has no float16 Conv/MatMul); 'basic' constant-folds those Casts once at
 * load instead of on every inference (measured on cls: 0.546 -> 0.508 ms), at the price of private float32 copies of
 * the folded weights per activation. 'basic' applies no layout changes, so the stored NCHWc graph is kept.
 */
export function activationLoadOptions(fp16: boolean, int8 = false, accelerated = false): Record<string, unknown> {
  const options = structuredClone(ACTIVATION_LOAD_OPTIONS) as Record<string, unknown>;
  if (fp16) options.graphOptimizationLevel = 'basic';
  // A graph for an accelerator is stored at 'basic' (see compileOptimizationLevel); onnxruntime finishes it at load,
  // where it knows which provider each node went to, so fusions and layouts are those of that provider.
  if (accelerated) options.graphOptimizationLevel = 'all';
  // int8 programs keep prepacking: QLinearConv packs its int8 weights once at load, and without that it packs them
  // on every inference (PP-OCRv4 det int8, one thread: 20.0 ms with prepacking off, 14.6 ms with it on, against
  // 21 ms for float32). The packed copies are private to each activation, but int8 weights are a quarter the size.
  if (int8) delete (options.extra as { session: Record<string, string> }).session.disable_prepacking;
  return options;
}

/** The optimization level compile saves CPU graphs at. */
export const COMPILE_OPTIMIZATION_LEVEL = 'all' as const;

/**
 * The level a graph for `computeUnits` is saved at: 'all' for the CPU alone; 'basic' as soon as another unit is
 * listed, because levels above 'basic' fuse and re-lay-out nodes for the CPU provider (NCHWc blocks, CPU-only
 * contrib kernels) that the GPU provider then cannot take: a CPU-optimized graph is not reused for the GPU.
 */
export function compileOptimizationLevel(computeUnits: readonly string[]): 'all' | 'basic' {
  return computeUnits.some((u) => u !== 'cpu') ? 'basic' : COMPILE_OPTIMIZATION_LEVEL;
}

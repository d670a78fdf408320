/**
 * How activations load a compiled graph (ort-measurements §1 and §6): the graph was optimized at level 'all' at
 * compile time, so loading skips optimization ('disabled' keeps the stored NCHWc layout: loading an 'all' graph at
 * 'disabled' is bit-identical to optimizing at load) and prepacking (prepacked weights are private copies per
 * session; without them every activation maps the same weight bytes). Creation is about 2× faster, run time equal.
 */
export const ACTIVATION_LOAD_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  graphOptimizationLevel: 'disabled',
  extra: { session: { disable_prepacking: '1' } },
});

/** The optimization level compile saves graphs at. */
export const COMPILE_OPTIMIZATION_LEVEL = 'all' as const;

/**
 * How one activation is configured: onnxruntime's threads (one intra-op pool of `aic_num_cores` threads,
 * sequential execution), spinning (off when activations share cores), pinning (`pin_cores`) and profiling. The
 * runtime owns these choices; the session only states the layout ({@link RuntimeSpec}).
 */
import { sharesCores } from '../options.js';
import { pinningFor } from './affinity.js';
import { addSessionConfigEntries } from './ort-session-options.js';
import type { ActivationConfig } from './protocol.js';
import type { RuntimeSpec } from './runtime.js';

/** The worker config of activation `index` of a runtime built from `spec` (a fresh object each call). */
export function activationConfig(spec: RuntimeSpec, index: number): ActivationConfig {
  const sessionOptions = threaded(spec, spec.sessionOptions);
  const config: ActivationConfig = { index, modelPath: spec.modelPath, sessionOptions, inputNames: spec.inputNames };
  // every graph of an activation runs on the same threads: the same threading settings for each
  if (spec.graphs !== undefined && spec.graphs.length > 0) {
    config.graphs = spec.graphs.map((g) => ({ modelPath: g.modelPath, inputNames: [...g.inputNames], sessionOptions: threaded(spec, g.sessionOptions) }));
  }
  // the graphs loaded on first use run on this activation's CPUs too: their pool threads get the same affinities
  if (spec.pinCores) Object.assign(config, pinningFor(index, spec.coresPerActivation, [sessionOptions, ...(config.graphs ?? []).map((g) => g.sessionOptions)], spec.engine ?? 'worker'));
  if (spec.profileDir !== undefined) config.profileDir = spec.profileDir;
  if (spec.computeUnits?.executionProviders !== undefined) {
    config.computeUnits = [...spec.computeUnits.units];
    // every activation places the graph the same way: the first one measures it for the session
    config.placement = index === 0;
  }
  return config;
}

/** A graph's session options with the activation's threading added (a fresh object). */
function threaded(spec: RuntimeSpec, graphOptions: Record<string, unknown>): Record<string, unknown> {
  const sessionOptions: Record<string, unknown> = {
    ...graphOptions,
    intraOpNumThreads: spec.coresPerActivation,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  const plan = spec.computeUnits;
  if (plan?.executionProviders !== undefined) {
    const forced = spec.forceCpuNodeNames ?? [];
    sessionOptions.executionProviders = plan.executionProviders.map((p) => (p === 'webgpu' && forced.length > 0 ? { name: p, forceCpuNodeNames: [...forced] } : p));
  }
  // without 'cpu' in compute_unit the listed units are mandatory: onnxruntime then refuses to load a graph with
  // nodes none of them can run, instead of quietly running those on the CPU
  if (plan !== undefined && !plan.cpuFallback) addSessionConfigEntries(sessionOptions, { disable_cpu_ep_fallback: '1' });
  if (sharesCores(spec.numActivations, spec.coresPerActivation)) {
    // Spinning pools steal the cores other activations need (measured: 42 % of throughput lost).
    addSessionConfigEntries(sessionOptions, { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' });
  }
  return sessionOptions;
}

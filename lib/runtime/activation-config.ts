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
  const sessionOptions: Record<string, unknown> = {
    ...spec.sessionOptions,
    intraOpNumThreads: spec.coresPerActivation,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  if (sharesCores(spec.numActivations, spec.coresPerActivation)) {
    // Spinning pools steal the cores other activations need (measured: 42 % of throughput lost).
    addSessionConfigEntries(sessionOptions, { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' });
  }
  const config: ActivationConfig = { index, modelPath: spec.modelPath, sessionOptions, inputNames: spec.inputNames };
  if (spec.pinCores) Object.assign(config, pinningFor(index, spec.coresPerActivation, sessionOptions));
  if (spec.profileDir !== undefined) config.profileDir = spec.profileDir;
  return config;
}

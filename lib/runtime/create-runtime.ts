/**
 * Where a session gets its runtime: the one place that picks the engine behind the {@link Runtime} interface
 * (today the worker-thread {@link ActivationPool}; a native engine would be chosen here too).
 */
import { ActivationPool } from './pool.js';
import type { Runtime, RuntimeSpec } from './runtime.js';

/** A runtime for `spec`, not started yet (call `start()`). */
export function createRuntime(spec: RuntimeSpec): Runtime {
  return new ActivationPool(spec);
}

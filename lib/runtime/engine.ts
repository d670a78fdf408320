/**
 * Which engine runs a session's activations (`engine`): the one place that decides it, from the option, the
 * `QAIC_ENGINE` environment variable, what the session needs and whether the native addon loads.
 *
 * - `'native'`: each activation is a native thread of the `qaic_engine` addon calling onnxruntime's C API, in this
 *   process, with the execution providers `compute_unit` maps to (WebGPU or CUDA before the CPU provider, appended
 *   through the C API). It dispatches faster, costs less memory per activation, and can cancel a run in flight (an
 *   AbortSignal, `run_timeout`, `reset()`/`close()` end it inside onnxruntime).
 * - `'worker'`: each activation is a worker thread (or, with `isolation: 'process'`, a child process) holding an
 *   onnxruntime-node session.
 */
import { QaicError } from '../errors.js';
import { warnOnce } from '../warnings.js';
import { loadNativeEngine } from './native-addon.js';

/** An engine name: the values of the `engine` option. */
export type Engine = 'native' | 'worker';

/** The engines, in the order the option's errors list them. */
export const ENGINES: readonly Engine[] = Object.freeze(['native', 'worker'] as const);

/** The environment variable that sets the engine when the `engine` option is not given (CI runs the suite per engine). */
export const ENGINE_ENV = 'QAIC_ENGINE';

/** What the engine is chosen for. */
export interface EngineNeeds {
  /** `isolation`: the native engine runs in this process, never in a child */
  isolation: 'thread' | 'process';
}

/**
 * The engine asked for: the option when given, else `QAIC_ENGINE` when set, else undefined (the default: native where
 * it applies and loads).
 *
 * @throws QaicError `QAIC_INVALID_OPTION` when `QAIC_ENGINE` is set to anything but `native` or `worker`
 */
export function requestedEngine(option: Engine | undefined, env: NodeJS.ProcessEnv = process.env): Engine | undefined {
  if (option !== undefined) return option;
  const value = env[ENGINE_ENV];
  if (value === undefined || value === '') return undefined;
  if (value === 'native' || value === 'worker') return value;
  throw new QaicError('QAIC_INVALID_OPTION', `environment variable ${ENGINE_ENV} (the default of option 'engine') must be one of 'native', 'worker'; got '${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`, {
    details: { option: 'engine', env: ENGINE_ENV, expected: [...ENGINES], given: value },
  });
}

/**
 * The engine that runs a session: `requested` (see {@link requestedEngine}) where it can, else the worker engine.
 * Asked-for native that cannot apply (`isolation: 'process'`) warns `QAIC_ENGINE_FALLBACK` saying why; compute units
 * do not decide it (the native engine appends the GPU's provider as the worker engine does). An addon that does not
 * load warns `QAIC_ENGINE_FALLBACK` once per process with the loader's reason, whether native was asked for or was
 * the default.
 */
export function chooseEngine(requested: Engine | undefined, needs: EngineNeeds): Engine {
  if (requested === 'worker') return 'worker';
  const why = needs.isolation === 'process' ? "option 'isolation' is 'process', and the native engine runs its activations in this process" : undefined;
  if (why !== undefined) {
    if (requested === 'native') warnOnce(`engine:${why}`, 'QAIC_ENGINE_FALLBACK', `option 'engine' is 'native', but ${why}: running on the worker engine`);
    return 'worker';
  }
  const loaded = loadNativeEngine();
  if ('reason' in loaded) {
    warnOnce('engine:addon', 'QAIC_ENGINE_FALLBACK', `the native engine cannot be loaded (${loaded.reason}): running on the worker engine (engine: 'worker' says so and silences this)`);
    return 'worker';
  }
  return 'native';
}

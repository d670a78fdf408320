/**
 * Core pinning for the worker engine's threads, through the native engine addon (`native/src/engine/`, built by
 * `npm run build:native` or shipped prebuilt): its `pinThread()` pins the calling thread with
 * `pthread_setaffinity_np` on itself, so an activation's worker pins itself and nothing else. That needs neither
 * `init()` nor a loadable onnxruntime, so pinning works on the worker engine even where the native engine falls back.
 * The native engine's own threads pin themselves inside the addon.
 *
 * onnxruntime's intra-op pool threads are separate OS threads: they are pinned through the session config entry
 * `session.intra_op_thread_affinities` (see {@link ortIntraOpAffinities}). The addon is never required: without it
 * (no compiler at install time, another OS) {@link loadAffinity} says why pinning is off and everything else works
 * unpinned.
 *
 * The addon file is the native engine's: `$QAIC_NATIVE_ADDON` when set, else the local build, then the prebuilt one.
 * (A separate pinning addon, `affinity.node`, and its `$QAIC_AFFINITY_ADDON` existed before; neither is read now.)
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { QaicError, describeValue } from '../errors.js';
import { warnOnce } from '../warnings.js';
import { addSessionConfigEntries } from './ort-session-options.js';
import { nativeAddonFile, requireAddonFile, type EngineAddon } from './native-addon.js';

/** Pinning is available: the calling thread can be pinned and its affinity read. */
export interface PinningOn {
  /** Always `true`: narrows {@link Pinning} to this case. */
  available: true;
  /** the addon file that was loaded (the native engine addon) */
  file: string;
  /**
   * Pin the calling thread to exactly these CPU indices (0-based, as the OS numbers them).
   *
   * @throws QaicError `QAIC_INVALID_OPTION` when `cpus` is empty or not a list of non-negative integers;
   *   `QAIC_PINNING_FAILED` when the OS refuses (e.g. a CPU outside the process's allowed set)
   */
  pin(cpus: readonly number[]): void;
  /** The CPU indices the calling thread may run on. */
  current(): number[];
}

/** Pinning is off, and why (shown to users as "pinning off: <reason>"). */
export interface PinningOff {
  /** Always `false`: narrows {@link Pinning} to this case. */
  available: false;
  /** Why pinning is off, e.g. the addon is not built (with the command to build it) or failed to load. */
  reason: string;
}

/** The result of {@link loadAffinity}. */
export type Pinning = PinningOn | PinningOff;

const cache = new Map<string, Pinning>();

/**
 * Load the pinning functions of the native engine addon. Never throws: a missing or unloadable addon gives
 * `{available: false, reason}`. Results are cached per file and per thread (each worker thread loads the addon for
 * itself).
 *
 * @param file the `.node` file to load; by default the native engine addon: `$QAIC_NATIVE_ADDON` when set, else
 *   the one `npm run build:native` builds (`native/build/Release/qaic_engine.node`), else the prebuilt one the
 *   package ships
 */
export function loadAffinity(file?: string): Pinning {
  if (file === undefined) {
    const found = nativeAddonFile();
    if ('reason' in found) return { available: false, reason: found.reason };
    file = found.file;
  }
  const known = cache.get(file);
  if (known !== undefined) return known;
  const result = tryLoad(file);
  cache.set(file, result);
  return result;
}

function tryLoad(file: string): Pinning {
  const required = requireAddonFile(file);
  if ('reason' in required) return { available: false, reason: required.reason };
  const addon = required.addon as Partial<EngineAddon> | null;
  if (typeof addon?.pinThread !== 'function' || typeof addon.threadAffinity !== 'function') {
    return { available: false, reason: `'${file}' is not the qaic native engine addon (it lacks pinThread/threadAffinity; rebuild it with 'npm run build:native')` };
  }
  const { pinThread, threadAffinity } = addon as EngineAddon;
  return {
    available: true,
    file,
    pin(cpus: readonly number[]): void {
      checkCpus(cpus, 'cpus');
      try {
        pinThread([...cpus]);
      } catch (error) {
        throw new QaicError('QAIC_PINNING_FAILED', `cannot pin this thread to CPUs [${cpus.join(', ')}]: ${(error as Error).message}`, {
          cause: error,
          details: { cpus: [...cpus] },
        });
      }
    },
    current(): number[] {
      return threadAffinity();
    },
  };
}

function checkCpus(cpus: unknown, option: string): asserts cpus is number[] {
  if (!Array.isArray(cpus) || cpus.length === 0 || !cpus.every((c) => Number.isInteger(c) && (c as number) >= 0)) {
    throw new QaicError('QAIC_INVALID_OPTION', `'${option}' must be a non-empty list of CPU indices (integers >= 0), got ${describeValue(cpus)}`, {
      details: { option },
    });
  }
}

/**
 * The value of onnxruntime's `session.intra_op_thread_affinities` config entry that keeps an activation's pool
 * threads on its own cores. onnxruntime wants one group per pool thread (`intraOpThreads - 1` groups: the
 * calling thread runs work too; the addon pins it to the activation's whole CPU set), groups separated by `;`,
 * CPUs within a group by `,`, and CPU ids **1-based**. Pool thread k gets core `cpus[k]` of its own, leaving
 * `cpus[0]` to the calling thread in practice.
 *
 * @param cpus the activation's CPUs, 0-based
 * @param intraOpThreads onnxruntime's `intraOpNumThreads` for the activation
 * @returns the config value, or `undefined` when there are no pool threads (one intra-op thread)
 * @throws QaicError `QAIC_INVALID_OPTION` when there are fewer CPUs than threads
 */
export function ortIntraOpAffinities(cpus: readonly number[], intraOpThreads: number): string | undefined {
  checkCpus(cpus, 'cpus');
  if (intraOpThreads <= 1) return undefined;
  if (cpus.length < intraOpThreads) {
    throw new QaicError('QAIC_INVALID_OPTION', `${intraOpThreads} intra-op threads need ${intraOpThreads} CPUs to pin to, got [${cpus.join(', ')}]`, {
      details: { option: 'aic_num_cores', cpus: [...cpus] },
    });
  }
  return cpus.slice(1, intraOpThreads).map((c) => String(c + 1)).join(';');
}

/**
 * The CPUs activation `index` gets when activations of `coresPerActivation` cores each are laid out over the
 * `allowed` CPUs (the process's affinity set, in order): consecutive blocks, wrapping around when the machine is
 * oversubscribed, so activation 0 gets `allowed[0..k)`, activation 1 the next k, and so on.
 */
export function cpusForActivation(index: number, coresPerActivation: number, allowed: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < coresPerActivation; k++) out.push(allowed[(index * coresPerActivation + k) % allowed.length]!);
  return [...new Set(out)];
}

/**
 * The pinning part of activation `index`'s config under `pin_cores`: the CPUs its worker pins itself to, and
 * onnxruntime's `session.intra_op_thread_affinities` entry for its pool threads (added to the `extra` of each of
 * `sessionOptions`, one per graph the activation serves, which are modified). When the addon is unavailable this
 * warns once that pinning is off, with the reason, and returns `{}` so the activation runs unpinned.
 */
export function pinningFor(index: number, coresPerActivation: number, sessionOptions: ReadonlyArray<Record<string, unknown>>, engine: 'native' | 'worker' = 'worker'): { cpus?: number[] } {
  let allowed: number[];
  if (engine === 'native') {
    // the native engine's threads pin themselves inside the addon, which has loaded: only the allowed CPUs are needed
    allowed = allowedCpus();
  } else {
    const pinning = loadAffinity();
    if (!pinning.available) {
      warnOnce(`pinning-off:${pinning.reason}`, 'QAIC_PINNING_OFF', `pin_cores: pinning off: ${pinning.reason}`);
      return {};
    }
    allowed = pinning.current();
  }
  const cpus = cpusForActivation(index, coresPerActivation, allowed);
  // With fewer distinct CPUs than threads (oversubscribed), onnxruntime's pool threads stay unpinned: it demands
  // exactly one affinity group per pool thread.
  const affinities = cpus.length >= coresPerActivation ? ortIntraOpAffinities(cpus, coresPerActivation) : undefined;
  if (affinities !== undefined) for (const options of sessionOptions) addSessionConfigEntries(options, { intra_op_thread_affinities: affinities });
  return { cpus };
}

/**
 * The CPUs this process may run on, from `/proc/self/status` (`Cpus_allowed_list`, e.g. `0-3,8`); all of
 * `availableParallelism()` where that cannot be read (not Linux).
 */
export function allowedCpus(): number[] {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (list !== undefined) {
      const cpus: number[] = [];
      for (const part of list.split(',')) {
        const [from, to] = part.split('-').map(Number);
        for (let c = from!; c <= (to ?? from!); c++) cpus.push(c);
      }
      if (cpus.length > 0 && cpus.every(Number.isInteger)) return cpus;
    }
  } catch {
    // not Linux: fall back to the count below
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

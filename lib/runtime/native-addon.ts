/**
 * The native engine addon (`native/src/engine/`, target `qaic_engine`): its JS interface and the loader that finds
 * it and the onnxruntime library it drives.
 *
 * The addon links nothing from onnxruntime at build time. {@link loadNativeEngine} hands it the exact
 * `libonnxruntime.so.1` that onnxruntime-node ships, so both run on one mapping of one library (one `OrtEnv` per
 * process). The interface below is the contract of the design note for issue 13; the transport over it is
 * `native-worker.ts`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `require('.../qaic_engine.node')` exports. */
export interface EngineAddon {
  /** `ORT_API_VERSION` the addon was compiled against (29 with the pinned header). */
  readonly apiVersion: number;
  /**
   * Load onnxruntime from `libraryPath` (`dlopen` with `RTLD_NOW | RTLD_LOCAL`), take `OrtGetApiBase()->GetApi(apiVersion)`
   * and create (or share) the process's `OrtEnv`. Idempotent for the same file.
   *
   * @returns onnxruntime's version string, e.g. `'1.30.0'`
   * @throws Error whose message names the file and says why: it cannot be loaded (missing, another architecture),
   *   it exports no `OrtGetApiBase` (not onnxruntime), `GetApi(N)` returned null (onnxruntime older than the header),
   *   or a different onnxruntime is already loaded in this process
   */
  init(libraryPath: string): { ortVersion: string };
  /** `CLOCK_MONOTONIC` in ns as a double: the clock of `process.hrtime()` (`clock.ts` `nowNs()`). */
  nowNs(): number;
  /**
   * How many onnxruntime output values external ArrayBuffers hold now, in this process: each is released when V8
   * collects its buffer. Outputs delivered as copies (`copyOutputs`, outputs under 4 KiB, or where external buffers
   * are refused) hold none.
   */
  heldOutputValues(): number;
  /**
   * How many graph sessions of the native engine allocate from the process's shared CPU arena now (one per loaded
   * graph of every activation, pruned graphs included; a graph whose options turn the CPU arena off has its own).
   * The arena is registered on onnxruntime's env while this is above 0. Diagnostics and tests.
   */
  sharedArenaLeases(): number;
  /** One activation: a native thread owning one onnxruntime session per graph. Requires {@link EngineAddon.init} first. */
  NativeActivation: new (onEvent: (event: NativeEvent) => void) => NativeActivation;
  /**
   * Pin the calling thread to exactly these CPU indices (`pthread_setaffinity_np` on itself: the process and other
   * threads keep theirs). Needs no {@link EngineAddon.init}: the worker engine's threads load the addon and pin
   * themselves with it (`affinity.ts`).
   *
   * @throws TypeError when `cpus` is empty or holds something other than a non-negative integer (naming the element);
   *   Error with the reason when a CPU is beyond the OS's mask (1023) or the OS refuses (e.g. `Invalid argument` for a
   *   CPU outside the process's allowed set)
   */
  pinThread(cpus: number[]): void;
  /** The CPU indices the calling thread may run on (`sched_getaffinity`). Needs no {@link EngineAddon.init}. */
  threadAffinity(): number[];
}

/** onnxruntime session options, already resolved to what the C API takes; absent fields keep onnxruntime's defaults. */
export interface NativeSessionOptions {
  /** `SetSessionGraphOptimizationLevel` (`'layout'` is `ORT_ENABLE_LAYOUT`) */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  /** `SetIntraOpNumThreads` (0: onnxruntime picks) */
  intraOpNumThreads?: number;
  /** `SetInterOpNumThreads` (0: onnxruntime picks) */
  interOpNumThreads?: number;
  /** `SetSessionExecutionMode` */
  executionMode?: 'sequential' | 'parallel';
  /** `EnableCpuMemArena` / `DisableCpuMemArena` */
  enableCpuMemArena?: boolean;
  /** `EnableMemPattern` / `DisableMemPattern` */
  enableMemPattern?: boolean;
  /** `SetSessionLogSeverityLevel`, 0 (verbose) to 4 (fatal) */
  logSeverityLevel?: number;
  /** `AddSessionConfigEntry` for each, e.g. `'session.intra_op_thread_affinities'`, `'intra_op.allow_spinning'` */
  config?: Record<string, string>;
  /** `EnableProfiling(prefix)` when set; {@link NativeActivation.endProfiling} collects the files */
  profileFilePrefix?: string;
  /**
   * Execution providers appended in order before onnxruntime's CPU provider (which always comes last): `'webgpu'`
   * through `SessionOptionsAppendExecutionProvider(options, "WebGPU", keys, values)` with `options` as its keys and
   * values (onnxruntime-node's names: `forceCpuNodeNames` as node names joined by newlines, `validationMode`, ...);
   * `'cuda'` through `SessionOptionsAppendExecutionProvider_CUDA_V2` with `options` given to
   * `UpdateCUDAProviderOptions` (`device_id`, ...), which loads onnxruntime's CUDA provider library; `'cpu'` appends
   * nothing. A provider onnxruntime refuses (its library missing, an option it does not take) fails the load with
   * onnxruntime's reason, prefixed by `sessionOptions.executionProviders[i] ('name' with key, ...)`.
   */
  executionProviders?: Array<{ name: 'webgpu' | 'cuda' | 'cpu'; options?: Record<string, string> }>;
}

/**
 * A tensor crossing the boundary: `lib/tensor.ts` `WireTensor`. `type` is a dtype name: float32, float16 (its bits
 * in a Uint16Array), float64, int8, uint8, int16, uint16, int32, uint32, int64 (BigInt64Array), uint64
 * (BigUint64Array), bool (Uint8Array of 0/1) or string (`string[]`). `data`'s container must be that type's.
 */
export interface NativeTensor {
  type: string;
  dims: number[];
  data: ArrayBufferView | string[];
}

/** One native activation. Every method but `start` may be called before the thread is ready. */
export interface NativeActivation {
  /**
   * Start the native thread: it pins itself to `cpus` (`pthread_setaffinity_np`) when given, then loads graph 0.
   * Event `'ready'` or `'load-failed'`. Call once. With `copyOutputs` true, every output's data is a copy in a V8
   * ArrayBuffer and onnxruntime's memory is released as the result is delivered (what a V8 sandbox that refuses
   * external buffers, such as Electron's, gets anyway): for outputs kept long, whose external buffers would otherwise
   * hold onnxruntime memory until they are collected.
   *
   * @throws Error on a malformed config (naming the field) or a second call
   */
  start(config: { index: number; modelPath: string; inputNames: string[]; sessionOptions: NativeSessionOptions; cpus?: number[]; copyOutputs?: boolean }): void;
  /**
   * Register graph `index` (>= 1), loaded on its first run or bench (events `'graph-loading'`, then `'graph-loaded'`).
   * A failed load fails the requests waiting for it; the next request tries again. A registration whose model has not
   * loaded (yet, or its load failed) may be replaced by calling this again. Ignored after {@link NativeActivation.close}.
   *
   * @throws Error on malformed arguments or an index already registered and loaded
   */
  setGraph(index: number, modelPath: string, inputNames: string[], sessionOptions: NativeSessionOptions): void;
  /**
   * Queue one inference. `feeds` are in `inputNames` order of that graph and are **copied** before this returns,
   * so the caller may reuse its buffers at once. `outputs` null = every output. Result: `'result'` or `'run-failed'`.
   * (A mode that read numeric feeds in place until the run settled was measured worse and removed: see
   * `native-worker.ts`'s `#run`.)
   * Output data are external ArrayBuffers over onnxruntime's memory (copies where a V8 sandbox refuses them, or with
   * `start()`'s `copyOutputs`).
   *
   * onnxruntime logs the run at FATAL only (its failure comes back as `'run-failed'`; a cancel would otherwise print
   * an ERROR line), unless the graph's `logSeverityLevel` is set. After {@link NativeActivation.close} the call is
   * ignored (no event).
   *
   * @throws Error (naming the input) only for malformed arguments: unknown dtype, a container or length not matching
   *   the dims, a non-string or a NUL in a string tensor, or an unregistered graph. Anything onnxruntime says comes
   *   back as `'run-failed'`.
   */
  run(id: number, graph: number, feeds: NativeTensor[], outputs: string[] | null): void;
  /**
   * End request `id`: queued, it is dropped; in flight, `RunOptionsSetTerminate` ends its run. Either way its
   * `'run-failed'` (or `'bench-result'` with an error) comes with `canceled: true`.
   *
   * @returns false when no such request is queued or running (or after close); never throws for a number
   */
  cancel(id: number): boolean;
  /**
   * The benchmark loop inside the native thread, no JS per inference (worker.ts `runBenchmarkLoop`'s semantics):
   * `warmup` runs, the barrier on `control` (an Int32Array over a SharedArrayBuffer, slots `BENCH_SLOT`; given up
   * after 120 s), then inferences claimed from `remaining` until it runs out, `abort` is set or `seconds` (> 0)
   * elapsed. `depth` is modelled as a closed loop: sample k's latency is its completion minus sample k-depth's (the
   * measuring start for the first `depth`). Time mode keeps only samples completed by the deadline. Event
   * `'bench-result'`.
   *
   * @throws Error on malformed arguments (as {@link NativeActivation.run}) or a control array not over shared memory
   */
  bench(id: number, graph: number, feeds: NativeTensor[], warmup: number, depth: number, seconds: number, parties: number, control: Int32Array): void;
  /** `SessionEndProfiling` on every loaded graph that profiles, in queue order; event `'profile'`. */
  endProfiling(): void;
  /**
   * Where onnxruntime places `modelPath`'s nodes with `sessionOptions` (which must set `profileFilePrefix`), in queue
   * order on the activation thread: a session of its own is created, run once on zeros (each symbolic dim as 1), its
   * profile ended and the session released. Event `'placement'` with the profile file (its node events carry
   * `args.provider`; the caller reads and removes it) and the input shapes it ran on, or the error. `cancel(id)` and
   * `close()` end the measuring inference.
   *
   * @throws Error on malformed arguments (naming the option) or after the activation was closed
   */
  measurePlacement(id: number, modelPath: string, sessionOptions: NativeSessionOptions): void;
  /**
   * Fail queued requests (canceled), terminate the one in flight, let the thread finish and release every
   * onnxruntime object; event `'exit'` once the thread has ended, after every event of the dropped and terminated
   * requests. Never blocks. Idempotent. Environment teardown and `process.exit()` (through a process `'exit'`
   * listener the addon adds) end the runs of activations still open, so that the process can exit; events still
   * queued then are dropped.
   */
  close(): void;
  /** Keep the event loop alive while this activation is open (the default). */
  ref(): void;
  /** Stop keeping the event loop alive (an idle activation then lets the process exit). */
  unref(): void;
}

/** Timestamps of one request, {@link EngineAddon.nowNs} of the activation thread. */
export interface NativeTimes {
  /** the thread took the request from its queue (ns) */
  received: number;
  /** onnxruntime's `Run` was called (ns; 0 when it never was) */
  runStart: number;
  /** `Run` returned (ns; 0 when it never was) */
  runEnd: number;
  /** the event was posted to JS (ns) */
  posted: number;
}

/** Everything the native thread tells JS, in order. */
export type NativeEvent =
  | { type: 'ready'; createStartNs: number; createMs: number; pinned?: number[] }
  | { type: 'load-failed'; message: string; ortCode?: number }
  | { type: 'graph-loading'; graph: number; file: string }
  | { type: 'graph-loaded'; graph: number; error?: string }
  | { type: 'result'; id: number; outputs: Record<string, NativeTensor>; times: NativeTimes }
  | { type: 'run-failed'; id: number; message: string; ortCode?: number; canceled: boolean; times: NativeTimes }
  | { type: 'bench-result'; id: number; count: number; startNs: number; endNs: number; samplesNs: Float64Array; warmupNs: number; error?: string }
  | { type: 'profile'; files: Array<{ graph: number; file: string; createStartNs: number }>; error?: string }
  | { type: 'placement'; id: number; file?: string; inputs?: Record<string, number[]>; error?: string }
  | { type: 'exit'; code: number };

/** The native engine, loaded and initialised, or why not. */
export type NativeEngineLoad = { addon: EngineAddon; ortVersion: string } | { reason: string };

/** Where `npm run build:native` puts the addon, relative to this file in `dist/lib/runtime/`. */
export const BUILT_ADDON_FILE = fileURLToPath(new URL('../../../native/build/Release/qaic_engine.node', import.meta.url));
/** The prebuilt linux-x64 binary shipped in the package. */
export const PREBUILT_ADDON_FILE = fileURLToPath(new URL('../../../prebuilds/linux-x64/qaic_engine.node', import.meta.url));

/**
 * The addon files tried, in order: `$QAIC_NATIVE_ADDON` alone when set (a build elsewhere; how tests point at a
 * missing or foreign file), else the local build, then the prebuilt binary.
 */
export function nativeAddonCandidates(): string[] {
  const fromEnv = process.env['QAIC_NATIVE_ADDON'];
  if (fromEnv !== undefined && fromEnv !== '') return [fromEnv];
  return [BUILT_ADDON_FILE, PREBUILT_ADDON_FILE];
}

/**
 * The `libonnxruntime.so.1` that onnxruntime-node ships (`bin/napi-v<N>/<platform>/<arch>/`, newest N first).
 *
 * @returns the file, or the reason it cannot be found
 */
export function onnxRuntimeLibrary(): { file: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  } catch (error) {
    return { reason: `onnxruntime-node is not installed: ${(error as Error).message}` };
  }
  const bin = join(packageDir, 'bin');
  let versions: string[];
  try {
    versions = readdirSync(bin).filter((d) => /^napi-v\d+$/.test(d)).sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  } catch (error) {
    return { reason: `onnxruntime-node has no native binaries ('${bin}' cannot be read: ${(error as Error).message})` };
  }
  for (const version of versions) {
    const file = join(bin, version, process.platform, process.arch, 'libonnxruntime.so.1');
    if (existsSync(file)) return { file };
  }
  return { reason: `onnxruntime-node ships no libonnxruntime.so.1 for ${process.platform}/${process.arch} under '${bin}'` };
}

function isEngineAddon(value: unknown): value is EngineAddon {
  const v = value as Partial<EngineAddon> | null;
  return typeof v === 'object' && v !== null && typeof v.init === 'function' && typeof v.nowNs === 'function' &&
    typeof v.NativeActivation === 'function' && typeof v.apiVersion === 'number';
}

/**
 * The addon file to load: the first of {@link nativeAddonCandidates} that exists.
 *
 * @returns the file, or why there is none (naming every file tried and the command that builds it)
 */
export function nativeAddonFile(): { file: string } | { reason: string } {
  const candidates = nativeAddonCandidates();
  const file = candidates.find((f) => existsSync(f));
  if (file !== undefined) return { file };
  return { reason: `the native engine addon is not built (none of ${candidates.map((f) => `'${f}'`).join(', ')} exists; run 'npm run build:native')` };
}

/**
 * `require()` an addon file, never throwing: the one loader of `.node` files, shared by the engine
 * ({@link loadNativeEngineOn}) and the thread-pinning functions (`loadAffinity`), so that both say the same thing
 * about a missing or broken file. What the module exports is left to the caller to check.
 *
 * @returns the module's exports, or why it could not be loaded (naming the file)
 * @internal
 */
export function requireAddonFile(file: string): { addon: unknown } | { reason: string } {
  if (!existsSync(file)) return { reason: `the native engine addon is not built ('${file}' does not exist; run 'npm run build:native')` };
  try {
    return { addon: createRequire(import.meta.url)(file) as unknown };
  } catch (error) {
    return { reason: `the native engine addon '${file}' could not be loaded: ${(error as Error).message}` };
  }
}

/**
 * Load the addon and initialise it on `library` (onnxruntime's library, or why there is none). Not cached.
 * {@link loadNativeEngine} is the entry point and hands it onnxruntime-node's library; tests hand it another one (an
 * onnxruntime too old for the addon's API) through a module substitution in a child process.
 *
 * @internal
 */
export function loadNativeEngineOn(library: { file: string } | { reason: string }): NativeEngineLoad {
  const found = nativeAddonFile();
  if ('reason' in found) return found;
  const file = found.file;
  const required = requireAddonFile(file);
  if ('reason' in required) return required;
  const { addon } = required;
  if (!isEngineAddon(addon)) return { reason: `'${file}' is not the qaic native engine addon (it lacks init/nowNs/NativeActivation)` };
  if ('reason' in library) return { reason: library.reason };
  try {
    const { ortVersion } = addon.init(library.file);
    return { addon, ortVersion };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

let cached: NativeEngineLoad | undefined;

/**
 * Find, load and initialise the native engine. Never throws: every failure is a reason in words (which file, what
 * failed), for the `QAIC_ENGINE_FALLBACK` warning. Cached per thread (each worker thread loads the addon for itself;
 * `$QAIC_NATIVE_ADDON` is read on the first call).
 */
export function loadNativeEngine(): NativeEngineLoad {
  cached ??= loadNativeEngineOn(onnxRuntimeLibrary());
  return cached;
}

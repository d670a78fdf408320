/**
 * The entry of an activation's worker thread: load the graph into an onnxruntime session, then run inferences
 * posted by the main thread, one message in and one out per inference, outputs transferred back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { QaicError, serializeError } from '../errors.js';
import type { WireTensor } from '../tensor.js';
import { BENCH_SLOT, CRASH_EXIT_CODE, type ActivationConfig, type BenchRequest, type FromWorker, type GraphProfile, type PrunedRoute, type ToWorker, type WorkerTimes } from './protocol.js';
import { nowNs } from './clock.js';
import { loadAffinity } from './affinity.js';
import { CPU_FALLBACK_DISABLED, mandatoryUnitsError, measurePlacement, type PlacementReport } from './placement.js';
import { withCpuFallback, withoutProfiling } from './ort-session-options.js';

type Ort = typeof import('onnxruntime-node');
type OrtSession = import('onnxruntime-node').InferenceSession;

const config = workerData as ActivationConfig;
const requireCjs = createRequire(import.meta.url);
const port = parentPort!;
const faults = config.faults === undefined ? undefined : new Int32Array(config.faults);

// Stopping is done here, not by `worker.terminate()` from the main thread: onnxruntime-node runs each inference
// (and each model load) synchronously on this thread, and terminating a worker inside that native call aborts the
// whole process ("terminate called after throwing an instance of 'Napi::Error'"). A message is only handled between
// native calls, so exiting from its handler is always safe. Listening from the start covers a stop during loading.
port.on('message', (message: ToWorker) => {
  if (message.type === 'close') process.exit(0);
  if (message.type === 'crash-for-testing') process.exit(CRASH_EXIT_CODE);
});

/** Tests' fault injection: exit as a crash would, before the result of the inference that just ran is posted. */
function crashIfAsked(): void {
  if (faults !== undefined && Atomics.load(faults, 0) !== 0) process.exit(CRASH_EXIT_CODE);
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function toOrt(ort: Ort, feeds: WireTensor[], names: readonly string[]): Record<string, import('onnxruntime-node').Tensor> {
  const out: Record<string, import('onnxruntime-node').Tensor> = {};
  for (let i = 0; i < feeds.length; i++) {
    const t = feeds[i]!;
    out[names[i]!] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
  }
  return out;
}

function fromOrt(results: Record<string, import('onnxruntime-node').Tensor>): { outputs: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const outputs: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const name in results) {
    const tensor = results[name]!;
    let data = tensor.data as WireTensor['data'];
    if (!Array.isArray(data)) {
      // Transfer only buffers that hold exactly this output; anything else is copied so we never detach memory
      // onnxruntime might still own.
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      if (!whole || transfer.includes(data.buffer as ArrayBuffer)) data = data.slice() as typeof data;
      transfer.push(data.buffer as ArrayBuffer);
    }
    outputs[name] = { type: tensor.type as WireTensor['type'], dims: [...tensor.dims], data };
  }
  return { outputs, transfer };
}

/**
 * One graph this activation serves. Graph 0 is loaded at start; the others (`graph: 'auto'`) on their first request,
 * so a program of many shapes costs an activation only the shapes it is asked for.
 */
interface GraphSlot {
  index: number;
  /** input names in the order feeds arrive */
  inputNames: readonly string[];
  /** the loaded session */
  session?: OrtSession;
  /** a load under way (requests arriving meanwhile wait for the same load) */
  loading?: Promise<OrtSession>;
  /** what to load, for graphs loaded on first use */
  modelPath?: string;
  sessionOptions?: Record<string, unknown>;
  /** for a graph loaded on first use while profiling: its profile's file prefix and time origin */
  profile?: { prefix: string; createStartNs: number };
  /** the graph pruned to output sets (see `PrunedRoute`), by key, each loaded on its first run */
  pruned?: Map<number, { session?: OrtSession; loading?: Promise<OrtSession> }>;
}

const slots: GraphSlot[] = [];
/** whether this activation's profiles were collected (onnxruntime cannot restart profiling in a session) */
const profiling = { ended: false };

/**
 * Load a graph on its first use. A failed load is reported to the requests that waited for it and tried again by
 * the next request (a transient failure, such as memory pressure, does not disable the graph for good).
 */
function loadSlot(ort: Ort, slot: GraphSlot): Promise<OrtSession> {
  if (slot.session !== undefined) return Promise.resolve(slot.session);
  slot.loading ??= (async () => {
    // the main thread times the load from here (onnxruntime's create blocks this thread: no timer here could fire)
    post({ type: 'graph-loading', graph: slot.index, file: slot.modelPath ?? '' });
    try {
      if (slot.modelPath === undefined) throw new QaicError('QAIC_INTERNAL', `activation ${config.index} was asked to run graph ${slot.index} without being told its file`);
      const options = { ...slot.sessionOptions } as Record<string, unknown>;
      // profiled like graph 0, into a file of its own; not once this activation's profile has been collected (no one
      // would end it, and onnxruntime would keep its events in memory for the life of the session)
      let profile: GraphSlot['profile'];
      if (config.profileDir !== undefined && !profiling.ended) {
        profile = { prefix: join(config.profileDir, `activation-${config.index}-graph-${slot.index}`), createStartNs: 0 };
        options.enableProfiling = true;
        options.profileFilePrefix = profile.prefix;
        profile.createStartNs = nowNs();
      }
      const created = await ort.InferenceSession.create(slot.modelPath!, options as never);
      const missing = slot.inputNames.filter((n) => !created.inputNames.includes(n));
      if (missing.length > 0 || created.inputNames.length !== slot.inputNames.length) {
        await created.release().catch(() => undefined);
        throw new QaicError('QAIC_INTERNAL', `graph ${slot.index}'s inputs as prepared (${slot.inputNames.join(', ')}) are not those onnxruntime loaded (${created.inputNames.join(', ')})`);
      }
      slot.session = created;
      if (profile !== undefined) slot.profile = profile;
      return created;
    } catch (error) {
      slot.loading = undefined;
      if (error instanceof QaicError) throw error;
      throw new QaicError('QAIC_ACTIVATION_FAILED', `activation ${config.index} could not load graph ${slot.index} ('${slot.modelPath ?? ''}') on its first use: ${(error as Error)?.message ?? String(error)}`, {
        cause: error, details: { activation: config.index, file: slot.modelPath },
      });
    } finally {
      post({ type: 'graph-loaded', graph: slot.index });
    }
  })();
  return slot.loading;
}

/**
 * The session of `slot`'s graph pruned to an output set, loaded on its first run (with the graph's session options,
 * not profiled: its runs are few and its profile would be one more file to collect). A failed load is retried by the
 * next run, as {@link loadSlot} does. Its load is reported as a load of the graph, so the main thread bounds it alike.
 */
function loadPruned(ort: Ort, slot: GraphSlot, route: PrunedRoute): Promise<OrtSession> {
  slot.pruned ??= new Map();
  let entry = slot.pruned.get(route.key);
  if (entry === undefined) slot.pruned.set(route.key, entry = {});
  if (entry.session !== undefined) return Promise.resolve(entry.session);
  const pruned = entry;
  pruned.loading ??= (async () => {
    post({ type: 'graph-loading', graph: slot.index, file: route.modelPath });
    try {
      const options = withoutProfiling(slot.index === 0 ? config.sessionOptions : (slot.sessionOptions ?? config.sessionOptions));
      const created = await ort.InferenceSession.create(route.modelPath, options as never);
      pruned.session = created;
      return created;
    } catch (error) {
      pruned.loading = undefined;
      throw new QaicError('QAIC_ACTIVATION_FAILED', `activation ${config.index} could not load graph ${slot.index} pruned to its outputs ('${route.modelPath}'): ${(error as Error)?.message ?? String(error)}`, {
        cause: error, details: { activation: config.index, file: route.modelPath },
      });
    } finally {
      post({ type: 'graph-loaded', graph: slot.index });
    }
  })();
  return pruned.loading;
}

/** The feeds a pruned graph reads, by name, out of those of its whole graph (the others are not its inputs). */
function prunedFeeds(all: Record<string, import('onnxruntime-node').Tensor>, route: PrunedRoute): Record<string, import('onnxruntime-node').Tensor> {
  const out: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const name of route.inputNames) out[name] = all[name]!;
  return out;
}

/**
 * The error for a graph onnxruntime refused because some nodes would fall back to the CPU while `compute_unit` lists
 * no CPU: those nodes, named, from a placement measured with the CPU allowed. Any other load error is returned as is.
 */
async function explainMandatoryUnits(ort: Ort, error: unknown): Promise<unknown> {
  const message = (error as Error)?.message ?? String(error);
  if (config.computeUnits === undefined || !CPU_FALLBACK_DISABLED.test(message)) return error;
  let measured: PlacementReport | Error;
  try {
    measured = await measurePlacement(ort, config.modelPath, withCpuFallback(withoutProfiling(config.sessionOptions)));
  } catch (e) {
    measured = e instanceof Error ? e : new Error(String(e));
  }
  return mandatoryUnitsError(config.computeUnits, measured, error);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let ort: Ort;
  let session: OrtSession;
  let profilePrefix: string | undefined;
  let createMs = 0;
  let createStartNs = 0;
  let pinned: number[] | undefined;
  let pinningOff: string | undefined;
  try {
    if (config.cpus !== undefined) {
      // Pin before onnxruntime allocates anything, so first-touch places this activation's memory near its cores.
      const pinning = loadAffinity();
      if (pinning.available) {
        pinning.pin(config.cpus);
        pinned = pinning.current();
      } else {
        pinningOff = pinning.reason;
      }
    }
    // require(), not import(): onnxruntime-node is CommonJS, and going through the ESM loader's CommonJS translation
    // costs each activation about 0.9 MiB more (benchmarks/program-memory.ts measures the activation as a whole).
    ort = requireCjs('onnxruntime-node') as Ort;
    const options = { ...config.sessionOptions } as Record<string, unknown>;
    if (config.profileDir !== undefined) {
      mkdirSync(config.profileDir, { recursive: true });
      profilePrefix = join(config.profileDir, `activation-${config.index}`);
      options.enableProfiling = true;
      options.profileFilePrefix = profilePrefix;
    }
    const t1 = performance.now();
    // onnxruntime's profile timestamps count from its profiler start, inside create(): this anchors them.
    createStartNs = nowNs();
    try {
      session = await ort.InferenceSession.create(config.modelPath, options as never);
    } catch (error) {
      throw await explainMandatoryUnits(ort, error);
    }
    createMs = performance.now() - t1;
  } catch (error) {
    post({ type: 'load-failed', error: serializeError(error) });
    return;
  }
  let placement: PlacementReport | undefined;
  let placementError: string | undefined;
  if (config.placement === true) {
    try {
      placement = await measurePlacement(ort, config.modelPath, withoutProfiling(config.sessionOptions));
    } catch (error) {
      placementError = (error as Error)?.message ?? String(error);
    }
  }
  const inputNames = config.inputNames ?? session.inputNames;
  const missing = inputNames.filter((n) => !session.inputNames.includes(n));
  if (missing.length > 0 || inputNames.length !== session.inputNames.length) {
    post({ type: 'load-failed', error: serializeError(new QaicError('QAIC_INTERNAL', `the graph's inputs as prepared (${inputNames.join(', ')}) are not those onnxruntime loaded (${session.inputNames.join(', ')})`)) });
    return;
  }
  slots.push({ index: 0, inputNames, session });
  for (const [i, g] of (config.graphs ?? []).entries()) {
    // '' : made loadable after this activation started; its first request carries the file
    slots.push({ index: i + 1, inputNames: g.inputNames, sessionOptions: g.sessionOptions, ...(g.modelPath === '' ? {} : { modelPath: g.modelPath }) });
  }
  post({ type: 'ready', loadMs: performance.now() - t0, createMs, pinned, pinningOff, createStartNs, placement, placementError });

  port.on('message', (message: ToWorker) => {
    if (message.type === 'run') {
      const times: WorkerTimes = { received: nowNs(), runStart: 0, runEnd: 0, posted: 0 };
      const slot = slots[message.graph ?? 0];
      let feeds;
      try {
        if (slot === undefined) throw new QaicError('QAIC_INTERNAL', `this activation has no graph ${message.graph ?? 0} (it serves ${slots.length})`);
        slot.modelPath ??= message.modelPath;
        feeds = toOrt(ort, message.feeds, slot.inputNames);
      } catch (error) {
        times.posted = nowNs();
        post({ type: 'run-failed', id: message.id, error: serializeError(error), times });
        return;
      }
      const pruned = message.pruned;
      const go = (graphSession: OrtSession): void => {
        times.runStart = nowNs();
        // pruned: the graph computes only the outputs named (all of its outputs); otherwise onnxruntime runs the
        // whole graph and fetches only the outputs named: the others are not copied out nor posted back
        const running = pruned !== undefined
          ? graphSession.run(prunedFeeds(feeds, pruned))
          : message.outputs === undefined ? graphSession.run(feeds) : graphSession.run(feeds, message.outputs as string[]);
        running.then(
          (results) => {
            crashIfAsked();
            times.runEnd = nowNs();
            const { outputs, transfer } = fromOrt(results);
            times.posted = nowNs();
            post({ type: 'result', id: message.id, outputs, times }, transfer);
          },
          (error: unknown) => {
            times.runEnd = nowNs();
            times.posted = times.runEnd;
            post({ type: 'run-failed', id: message.id, error: serializeError(error), times });
          },
        );
      };
      const ready = pruned !== undefined ? slot.pruned?.get(pruned.key)?.session : slot.session;
      if (ready !== undefined) go(ready);
      else {
        (pruned !== undefined ? loadPruned(ort, slot, pruned) : loadSlot(ort, slot)).then(go, (error: unknown) => {
          times.posted = nowNs();
          post({ type: 'run-failed', id: message.id, error: serializeError(error), times });
        });
      }
    } else if (message.type === 'end-profiling') {
      if (profiling.ended || profilePrefix === undefined) {
        post({ type: 'profile', file: undefined, error: serializeError(new QaicError('QAIC_METRICS_DISABLED', profiling.ended ? 'this activation already ended its profile (onnxruntime cannot restart profiling)' : 'this activation is not profiling')) });
        return;
      }
      profiling.ended = true;
      try {
        // onnxruntime-node 1.30's endProfiling() returns nothing: find the file it wrote by its prefix.
        session.endProfiling();
        const graphs: GraphProfile[] = [];
        for (const slot of slots) {
          if (slot.profile === undefined || slot.session === undefined) continue;
          slot.session.endProfiling();
          graphs.push({ graph: slot.index, file: newestWithPrefix(slot.profile.prefix), createStartNs: slot.profile.createStartNs });
        }
        post({ type: 'profile', file: newestWithPrefix(profilePrefix), graphs });
      } catch (error) {
        post({ type: 'profile', file: undefined, error: serializeError(error) });
      }
    } else if (message.type === 'bench') {
      const slot = slots[message.graph ?? 0];
      if (slot === undefined) {
        void runBenchmarkLoop(ort, Promise.reject(new QaicError('QAIC_INTERNAL', `this activation has no graph ${message.graph ?? 0}`)), [], message);
      } else {
        slot.modelPath ??= message.modelPath;
        void runBenchmarkLoop(ort, slot.session !== undefined ? Promise.resolve(slot.session) : loadSlot(ort, slot), slot.inputNames, message);
      }
    }
  });
}

function newestWithPrefix(prefix: string): string | undefined {
  const dir = join(prefix, '..');
  const base = prefix.slice(dir.length + 1);
  let best: { file: string; mtime: number } | undefined;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${base}_`) || !name.endsWith('.json')) continue;
    const file = join(dir, name);
    const mtime = statSync(file).mtimeMs;
    if (best === undefined || mtime > best.mtime) best = { file, mtime };
  }
  return best?.file;
}

/**
 * The benchmark loop runs inside the activation, like the SDK's C++ benchmark API: the caller's thread and the
 * message round trip are not measured.
 *
 * - Warm-up: `warmup` inferences, excluded from the results (their duration is reported).
 * - Barrier: every activation waits (Atomics) until all have warmed up, so the measured windows overlap and no
 *   activation measures while another still warms up.
 * - Measuring: `depth` (the set size) inferences are kept in flight, like the run path; each one's latency is its
 *   issue-to-completion time in this thread. In count mode the activations claim inferences from one shared
 *   counter, so the total is exact and they finish together; in time mode each stops issuing at the deadline and
 *   counts what completed by then (the window is exactly `seconds`; see below).
 */
async function runBenchmarkLoop(ort: Ort, loading: Promise<OrtSession>, inputNames: readonly string[], message: BenchRequest): Promise<void> {
  const control = new Int32Array(message.control);
  const samples: number[] = [];
  const completions: number[] = [];
  let startNs = 0;
  let endNs = 0;
  let warmupNs = 0;
  try {
    const session = await loading;
    const feeds = toOrt(ort, message.feeds, inputNames);
    const w0 = nowNs();
    for (let i = 0; i < message.warmup; i++) await session.run(feeds);
    warmupNs = nowNs() - w0;
    if (Atomics.add(control, BENCH_SLOT.arrived, 1) + 1 >= message.parties) {
      Atomics.store(control, BENCH_SLOT.go, 1);
      Atomics.notify(control, BENCH_SLOT.go);
    }
    const waitUntil = Date.now() + 120_000;
    while (Atomics.load(control, BENCH_SLOT.go) === 0) {
      if (Atomics.load(control, BENCH_SLOT.abort) !== 0) throw new QaicError('QAIC_ABORTED', 'another activation failed during the benchmark warm-up');
      if (Date.now() > waitUntil) throw new QaicError('QAIC_TIMEOUT', 'the other activations did not finish their benchmark warm-up within 120 s');
      Atomics.wait(control, BENCH_SLOT.go, 0, 50);
    }
    startNs = nowNs();
    const deadline = message.seconds > 0 ? startNs + message.seconds * 1e9 : Infinity;
    const claim = (): boolean => {
      if (Atomics.load(control, BENCH_SLOT.abort) !== 0) return false;
      if (nowNs() >= deadline) return false;
      return Atomics.sub(control, BENCH_SLOT.remaining, 1) > 0;
    };
    const lane = async (): Promise<void> => {
      while (claim()) {
        const t0 = nowNs();
        await session.run(feeds);
        const t1 = nowNs();
        samples.push(t1 - t0);
        completions.push(t1);
        Atomics.add(control, BENCH_SLOT.completed, 1);
        if (t1 > endNs) endNs = t1;
      }
    };
    const lanes: Promise<void>[] = [];
    for (let i = 0; i < Math.max(1, message.depth); i++) lanes.push(lane());
    await Promise.all(lanes);
    if (deadline !== Infinity && endNs > deadline) {
      // Time mode measures a fixed window: the inferences still in flight at the deadline (up to `depth` of them,
      // each queued behind the others) would stretch it by up to depth x the run time, more under load. Count only
      // what completed inside [start, deadline], as perf_analyzer's measurement windows do; the rest are drained
      // and dropped. When nothing completed inside it (one run outlasts inf_time), the window runs to the first one.
      const inside = completions.filter((t) => t <= deadline).length;
      if (inside > 0) {
        const kept: number[] = [];
        for (let i = 0; i < samples.length; i++) if (completions[i]! <= deadline) kept.push(samples[i]!);
        samples.length = 0;
        samples.push(...kept);
        endNs = deadline;
      }
    }
    const out = Float64Array.from(samples);
    post({ type: 'bench-result', id: message.id, count: samples.length, startNs, endNs, samplesNs: out, warmupCount: message.warmup, warmupNs }, [out.buffer]);
  } catch (error) {
    Atomics.store(control, BENCH_SLOT.abort, 1);
    Atomics.notify(control, BENCH_SLOT.go);
    post({ type: 'bench-result', id: message.id, count: samples.length, startNs, endNs, samplesNs: new Float64Array(0), warmupCount: message.warmup, warmupNs, error: serializeError(error) });
  }
}

void main();

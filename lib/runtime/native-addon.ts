/**
 * The native engine addon's JS interface and its loader. PLACEHOLDER on the TS helper's branch, written from the
 * shared design so the native transport compiles before the addon's own file lands; replaced by the C++ helper's
 * file at merge.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A tensor crossing the boundary (a WireTensor). */
export interface NativeTensor { type: string; dims: number[]; data: ArrayBufferView | string[] }

/** onnxruntime session options, resolved to what the C API takes. */
export interface NativeSessionOptions {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  logSeverityLevel?: number;
  config?: Record<string, string>;
  profileFilePrefix?: string;
}

/** Times of one run, process-wide monotonic ns. */
export interface NativeTimes { received: number; runStart: number; runEnd: number; posted: number }

/** Events of a native activation. */
export type NativeEvent =
  | { type: 'ready'; createStartNs: number; createMs: number; pinned?: number[] }
  | { type: 'load-failed'; message: string; ortCode?: number }
  | { type: 'graph-loading'; graph: number; file: string }
  | { type: 'graph-loaded'; graph: number; error?: string }
  | { type: 'result'; id: number; outputs: Record<string, NativeTensor>; times: NativeTimes }
  | { type: 'run-failed'; id: number; message: string; ortCode?: number; canceled: boolean; times: NativeTimes }
  | { type: 'bench-result'; id: number; count: number; startNs: number; endNs: number; samplesNs: Float64Array; warmupNs: number; error?: string }
  | { type: 'profile'; files: Array<{ graph: number; file: string; createStartNs: number }>; error?: string }
  | { type: 'exit'; code: number };

/** One native activation. */
export interface NativeActivation {
  start(config: { index: number; modelPath: string; inputNames: string[]; sessionOptions: NativeSessionOptions; cpus?: number[] }): void;
  setGraph(index: number, modelPath: string, inputNames: string[], sessionOptions: NativeSessionOptions): void;
  run(id: number, graph: number, feeds: NativeTensor[], outputs: string[] | null): void;
  cancel(id: number): boolean;
  bench(id: number, graph: number, feeds: NativeTensor[], warmup: number, depth: number, seconds: number, parties: number, control: Int32Array): void;
  endProfiling(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

/** What the addon exports. */
export interface EngineAddon {
  readonly apiVersion: number;
  init(libraryPath: string): { ortVersion: string };
  nowNs(): number;
  NativeActivation: new (onEvent: (event: NativeEvent) => void) => NativeActivation;
}

let cached: { addon: EngineAddon; ortVersion: string } | { reason: string } | undefined;

/** Load the addon (QAIC_NATIVE_ADDON, else native/build/Release/qaic_engine.node). */
export function loadNativeEngine(): { addon: EngineAddon; ortVersion: string } | { reason: string } {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const file = process.env.QAIC_NATIVE_ADDON ?? fileURLToPath(new URL('../../../native/build/Release/qaic_engine.node', import.meta.url));
  if (!existsSync(file)) return (cached = { reason: `the addon '${file}' does not exist` });
  try {
    const addon = require(file) as EngineAddon;
    const lib = require.resolve('onnxruntime-node');
    return (cached = { addon, ortVersion: addon.init(lib).ortVersion });
  } catch (error) {
    return (cached = { reason: (error as Error).message });
  }
}

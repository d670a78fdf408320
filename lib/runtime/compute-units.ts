/**
 * Which compute units this host has, in AI Hub's vocabulary (`--compute_unit npu,gpu,cpu`), mapped onto onnxruntime's
 * execution providers: `cpu` is onnxruntime's CPU provider; `gpu` is its CUDA provider where that is installed and
 * works, else its WebGPU provider (Dawn on Vulkan) when an adapter is found; `npu` has no provider in
 * onnxruntime-node's Linux build. Each accelerator is probed by really creating and running a one-node session in a
 * child process with a time limit, so a driver that aborts or hangs cannot hurt the caller.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A compute unit, named as AI Hub's `--compute_unit` names it. */
export type ComputeUnit = 'npu' | 'gpu' | 'cpu';

/** Every compute unit, in AI Hub's default fallback order (what `'all'` means). */
export const COMPUTE_UNITS: readonly ComputeUnit[] = Object.freeze(['npu', 'gpu', 'cpu'] as const);

/** onnxruntime execution provider names (as `executionProviders` takes them) a unit can map to. */
export type ComputeUnitProvider = 'cpu' | 'webgpu' | 'cuda';

/** Whether one compute unit is usable here, and through which provider or why not. */
export interface ComputeUnitStatus {
  /** the unit */
  readonly unit: ComputeUnit;
  /** true when a session was created and ran on it */
  readonly available: boolean;
  /** the onnxruntime execution provider that serves it (when available) */
  readonly provider?: ComputeUnitProvider;
  /** why it is not available (absent when available) */
  readonly reason?: string;
}

/** What {@link availableComputeUnits} found. */
export interface AvailableComputeUnits {
  /** the usable units, in {@link COMPUTE_UNITS} order; always includes `'cpu'` */
  readonly units: readonly ComputeUnit[];
  /** each unit's status, available or not */
  readonly status: Readonly<Record<ComputeUnit, ComputeUnitStatus>>;
}

/**
 * How long one provider probe may take (ms) before it counts as a hang. A first WebGPU session on a software Vulkan
 * device compiles one tiny shader (about a second); the limit is for drivers that never answer.
 */
export const PROBE_TIMEOUT_MS = 60_000;

const PROBE_ENTRY = fileURLToPath(new URL('./compute-unit-probe.js', import.meta.url));

/** Why the NPU is never available here: onnxruntime-node ships no NPU provider for this platform. */
const NO_NPU = `onnxruntime-node has no NPU execution provider on ${process.platform}-${process.arch} (its QNN provider is not in the Node build)`;

let cached: Promise<AvailableComputeUnits> | undefined;

/**
 * The compute units this host has, and why not for the others. The first call probes (each accelerator provider in a
 * child process, up to {@link PROBE_TIMEOUT_MS} each); the result is cached for the life of the process, so a
 * later change of environment (`VK_ICD_FILENAMES`) is not seen.
 *
 * Python parity: AI Hub's `--compute_unit` has no discovery call; this answers what `qaic-exec -list-compute-units`
 * would print. Never rejects: a probe that fails, crashes or times out makes its unit unavailable with that reason.
 */
export function availableComputeUnits(): Promise<AvailableComputeUnits> {
  cached ??= discover();
  return cached;
}

async function discover(): Promise<AvailableComputeUnits> {
  const cpu: ComputeUnitStatus = Object.freeze({ unit: 'cpu', available: true, provider: 'cpu' });
  const npu: ComputeUnitStatus = Object.freeze({ unit: 'npu', available: false, reason: NO_NPU });
  const gpu = await discoverGpu();
  const status = Object.freeze({ npu, gpu, cpu });
  return Object.freeze({ units: Object.freeze(COMPUTE_UNITS.filter((u) => status[u].available)), status });
}

async function discoverGpu(): Promise<ComputeUnitStatus> {
  const reasons: string[] = [];
  if (cudaProviderInstalled()) {
    const cuda = await probeProvider('cuda');
    if (cuda === undefined) return Object.freeze({ unit: 'gpu', available: true, provider: 'cuda' });
    reasons.push(`CUDA provider: ${cuda}`);
  } else {
    reasons.push("CUDA provider: not installed (onnxruntime-node's libonnxruntime_providers_cuda.so is absent; npm's ONNXRUNTIME_NODE_INSTALL=cuda12 installs it)");
  }
  const webgpu = await probeProvider('webgpu');
  if (webgpu === undefined) return Object.freeze({ unit: 'gpu', available: true, provider: 'webgpu' });
  reasons.push(`WebGPU provider: ${webgpu}`);
  return Object.freeze({ unit: 'gpu', available: false, reason: reasons.join('; ') });
}

/** Whether onnxruntime-node's CUDA provider library sits beside its binding (the postinstall puts it there). */
function cudaProviderInstalled(): boolean {
  try {
    const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    return existsSync(join(ortDir, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** Probe one provider in a child process: `undefined` when it works, else why not. */
function probeProvider(provider: ComputeUnitProvider): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROBE_ENTRY, provider], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (error, stdout) => {
      const line = stdout.split('\n').find((l) => l.startsWith('PROBE '));
      if (line !== undefined) {
        try {
          const result = JSON.parse(line.slice('PROBE '.length)) as { ok: boolean; reason?: string };
          resolve(result.ok ? undefined : String(result.reason));
          return;
        } catch {
          // fall through: a torn line is a failed probe
        }
      }
      const e = error as (Error & { killed?: boolean; signal?: string | null; code?: number | string }) | null;
      if (e?.killed === true) resolve(`the probe did not finish within ${PROBE_TIMEOUT_MS} ms (the driver hangs?)`);
      else if (e?.signal) resolve(`the probe process was killed by ${e.signal} (the driver crashed)`);
      else resolve(`the probe process ended (exit code ${String(e?.code ?? 0)}) without an answer`);
    });
  });
}

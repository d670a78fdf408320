/**
 * From `compute_unit` to onnxruntime's execution providers, with AI Hub's semantics: the listed units in order, the
 * missing ones skipped with a warning while another listed unit is available (an error when none is), and CPU
 * fallback only when `'cpu'` is listed (onnxruntime's `session.disable_cpu_ep_fallback` otherwise, so a node no listed
 * unit can run fails the load instead of running on the CPU unasked).
 */
import { QaicError } from '../errors.js';
import { readModelFile } from '../onnx/model.js';
import { warnOnce } from '../warnings.js';
import { availableComputeUnits, type ComputeUnit, type ComputeUnitProvider } from './compute-units.js';
import { useShaderCache } from './shader-cache.js';

/** How one activation's nodes are to be placed. */
export interface ComputeUnitPlan {
  /** the units asked for (`compute_unit`), in order */
  readonly requested: readonly ComputeUnit[];
  /** the units used: the requested ones this host has, in order */
  readonly units: readonly ComputeUnit[];
  /** onnxruntime's `executionProviders`, one per used unit; absent for the CPU alone (onnxruntime's default) */
  readonly executionProviders?: readonly ComputeUnitProvider[];
  /** whether nodes no listed unit can run may fall back to the CPU (`'cpu'` is listed) */
  readonly cpuFallback: boolean;
}

/**
 * The plan for `requested`. The CPU alone needs no probe; any other unit asks {@link availableComputeUnits} (cached).
 *
 * @throws QaicError `QAIC_COMPUTE_UNIT_UNAVAILABLE` when no requested unit is available, with each one's reason
 */
export async function planComputeUnits(requested: readonly ComputeUnit[]): Promise<ComputeUnitPlan> {
  if (requested.length === 1 && requested[0] === 'cpu') return { requested, units: requested, cpuFallback: true };
  const found = await availableComputeUnits();
  const units = requested.filter((u) => found.status[u].available);
  const missing = requested.filter((u) => !found.status[u].available).map((u) => `${u}: ${found.status[u].reason ?? 'not available'}`);
  const asked = `option 'compute_unit' (${requested.join(',')})`;
  if (units.length === 0) {
    throw new QaicError('QAIC_COMPUTE_UNIT_UNAVAILABLE', `${asked}: no listed compute unit is available on this host (${missing.join('; ')})`, {
      details: { option: 'compute_unit', requested: [...requested], available: [...found.units] },
    });
  }
  if (missing.length > 0) {
    warnOnce(`compute-unit:${requested.join(',')}`, 'QAIC_COMPUTE_UNIT_FALLBACK', `${asked}: ${missing.join('; ')}; running on ${units.join(', ')}`);
  }
  // before any activation creates its session: the driver reads where to cache shaders when the GPU is first opened
  if (units.includes('gpu')) useShaderCache();
  return { requested, units, executionProviders: units.map((u) => found.status[u].provider!), cpuFallback: units.includes('cpu') };
}

/**
 * The node names `compute_unit_for_nodes.cpu` forces onto the CPU: its entries are operator types or node names,
 * matched against the nodes of the graphs activations load (`modelPaths`); onnxruntime's WebGPU provider takes names
 * only (`forceCpuNodeNames`).
 *
 * @throws QaicError `QAIC_INVALID_OPTION` naming the entries that match no node
 */
export function forcedCpuNodeNames(entries: readonly string[], modelPaths: readonly string[]): string[] {
  const names = new Set<string>();
  const matched = new Set<string>();
  for (const path of modelPaths) {
    for (const n of readModelFile(path).model.graph?.node ?? []) {
      const name = n.name ?? '';
      for (const entry of [n.op_type ?? '', name]) {
        if (entry !== '' && entries.includes(entry)) {
          matched.add(entry);
          if (name !== '') names.add(name);
        }
      }
    }
  }
  const unmatched = entries.filter((e) => !matched.has(e));
  if (unmatched.length > 0) {
    throw new QaicError('QAIC_INVALID_OPTION', `option 'compute_unit_for_nodes.cpu': expected operator types or node names of the graph, got ${unmatched.map((e) => `'${e}'`).join(', ')}, which match no node`, {
      details: { option: 'compute_unit_for_nodes', unmatched },
    });
  }
  return [...names];
}

/**
 * Time per compute unit and per subnet, from onnxruntime's profile: each node's kernel event names the provider
 * that ran it (`args.provider`), and the partition report (`session.placement`, see `runtime/placement.ts`) names
 * each subnet's nodes and the copies into it. Nothing is inferred: a node the report does not name (another graph's,
 * or one onnxruntime named differently) counts for its unit but for no subnet, and the count of those is given.
 */
import type { ComputeUnit } from '../runtime/compute-units.js';
import { copyUnits, unitOfProvider, type PlacementReport } from '../runtime/placement.js';
import { alignColumns, subnetsByNode, type OrtEvent } from './ort-profile.js';

/** Kernel time on one compute unit, all activations. Times in seconds. */
export interface UnitTimeRow {
  /** the unit */
  unit: ComputeUnit;
  /** kernel executions of its nodes (copy nodes excluded) */
  calls: number;
  /** their kernel time summed, seconds */
  total: number;
  /** executions of the copy nodes that brought tensors into it */
  copies: number;
  /** the time of those copies, seconds */
  copyTotal: number;
  /** fraction (0..1) of all kernel time (copies included) that is this unit's, copies into it included */
  share: number;
}

/** Kernel time of one subnet of the partition report, all activations. Times in seconds. */
export interface SubnetTimeRow {
  /** its index in `placement.subnets` */
  subnet: number;
  /** its unit */
  unit: ComputeUnit;
  /** its node count (as the report gives it) */
  nodes: number;
  /** kernel time of its nodes, seconds */
  total: number;
  /** time of the copies into it, seconds */
  copyTotal: number;
  /** fraction (0..1) of all kernel time, copies into it included */
  share: number;
}

/** What {@link unitTimes} gives. */
export interface UnitTimes {
  /** per unit that ran anything, most time first */
  units: UnitTimeRow[];
  /** per subnet, in execution order; empty without a partition report */
  subnets: SubnetTimeRow[];
  /** node events the partition report names in no subnet */
  unplaced: number;
}

const KERNEL_SUFFIX = '_kernel_time';

/** Time per unit and, with `placement`, per subnet, over every activation's node events. */
export function unitTimes(eventsPerActivation: ReadonlyArray<readonly OrtEvent[]>, placement?: PlacementReport): UnitTimes {
  const subnetOf = placement === undefined ? new Map<string, number>() : subnetsByNode(placement);
  const units = new Map<ComputeUnit, UnitTimeRow>();
  const subnets: SubnetTimeRow[] = (placement?.subnets ?? []).map((s, i) => ({ subnet: i, unit: s.unit, nodes: s.nodes.length, total: 0, copyTotal: 0, share: 0 }));
  let all = 0;
  let unplaced = 0;
  for (const events of eventsPerActivation) {
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith(KERNEL_SUFFIX) || typeof e.args?.provider !== 'string') continue;
      const seconds = e.dur / 1e6;
      const copy = copyUnits(String(e.args.op_name ?? ''), e.args.provider);
      const unit = copy?.to ?? unitOfProvider(e.args.provider);
      let row = units.get(unit);
      if (row === undefined) units.set(unit, (row = { unit, calls: 0, total: 0, copies: 0, copyTotal: 0, share: 0 }));
      if (copy === undefined) {
        row.calls++;
        row.total += seconds;
      } else {
        row.copies++;
        row.copyTotal += seconds;
      }
      all += seconds;
      if (placement === undefined) continue;
      const index = subnetOf.get(e.name.slice(0, -KERNEL_SUFFIX.length));
      const subnet = index === undefined ? undefined : subnets[index];
      if (subnet === undefined) unplaced++;
      else if (copy === undefined) subnet.total += seconds;
      else subnet.copyTotal += seconds;
    }
  }
  const share = (s: number): number => (all > 0 ? s / all : 0);
  for (const r of units.values()) r.share = share(r.total + r.copyTotal);
  for (const s of subnets) s.share = share(s.total + s.copyTotal);
  return { units: [...units.values()].sort((a, b) => b.total + b.copyTotal - (a.total + a.copyTotal)), subnets, unplaced };
}

/** The per-unit and per-subnet tables as text (what `printProfileData()` prints for a session with a placement). */
export function formatUnitTimes(times: UnitTimes, maxSubnets: number): string[] {
  const pct = (s: number): string => `${(s * 100).toFixed(2)} %`;
  const lines = ['Time per compute unit (onnxruntime kernel time, all activations; copies counted for the unit they enter)'];
  lines.push(...alignColumns(['unit', 'calls', 'total (s)', 'copies in', 'copy time (s)', 'share'],
    times.units.map((r) => [r.unit, String(r.calls), r.total.toFixed(6), String(r.copies), r.copyTotal.toFixed(6), pct(r.share)]), 1));
  if (times.subnets.length === 0) return lines;
  lines.push('', 'Time per subnet (the subnets of session.placement, in execution order)');
  lines.push(...alignColumns(['subnet', 'unit', 'nodes', 'total (s)', 'copy time in (s)', 'share'],
    times.subnets.slice(0, maxSubnets).map((s) => [String(s.subnet), s.unit, String(s.nodes), s.total.toFixed(6), s.copyTotal.toFixed(6), pct(s.share)]), 2));
  const rest = times.subnets.slice(maxSubnets);
  if (rest.length > 0) lines.push(`... ${rest.length} more subnets, ${pct(rest.reduce((n, s) => n + s.share, 0))} of kernel time`);
  if (times.unplaced > 0) lines.push(`(${times.unplaced} node event(s) of nodes the placement does not name are counted per unit only)`);
  return lines;
}

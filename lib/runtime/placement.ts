/**
 * The partition report (the Snapdragon AIP runtime's view of subnets): which compute unit each node ran on, the
 * subnets that gives, and the tensors copied between units. It is read from what onnxruntime actually did: one
 * profiled inference, whose node events carry `args.provider`; onnxruntime's partitioner placed the nodes, and its
 * `MemcpyToHost` / `MemcpyFromHost` nodes are the copies across a boundary. Nothing here guesses a placement.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComputeUnit } from './compute-units.js';
import { QaicError } from '../errors.js';
import { readRegularTextFileSync } from '../files.js';

/** The largest onnxruntime profile of one inference read back (bytes): a few hundred bytes per node event. */
const MAX_PLACEMENT_PROFILE_BYTES = 64 * 2 ** 20;

/** One node as onnxruntime ran it. */
export interface PlacedNode {
  /** the node's name in the graph onnxruntime ran (after its optimizations) */
  readonly name: string;
  /** its operator type */
  readonly op: string;
}

/** A tensor copied from one unit to another (an onnxruntime `MemcpyToHost`/`MemcpyFromHost` node). */
export interface PlacementCopy {
  /** the unit the tensor leaves */
  readonly from: ComputeUnit;
  /** the unit it goes to */
  readonly to: ComputeUnit;
  /** the copy node's name */
  readonly node: string;
  /** element type, as onnxruntime's profile names it (`float`, `int64`, ...) */
  readonly dtype: string;
  /** the tensor's shape on the profiled inference */
  readonly shape: readonly number[];
  /** bytes copied per inference */
  readonly bytes: number;
}

/** A maximal run of consecutive nodes (in execution order) on one unit. */
export interface Subnet {
  /** the unit its nodes ran on */
  readonly unit: ComputeUnit;
  /** onnxruntime's execution provider (`WebGpuExecutionProvider`, `CPUExecutionProvider`, ...) */
  readonly provider: string;
  /** its nodes, in execution order (copy nodes excluded: they are {@link copiesIn}) */
  readonly nodes: readonly PlacedNode[];
  /** the tensors copied into this subnet from another unit, before or while it runs */
  readonly copiesIn: readonly PlacementCopy[];
}

/** Totals for one unit. */
export interface UnitTotals {
  /** nodes that ran on it (copy nodes excluded) */
  readonly nodes: number;
  /** subnets on it */
  readonly subnets: number;
  /** bytes copied into it per inference */
  readonly bytesIn: number;
}

/** Where onnxruntime placed a graph's nodes, as subnets (see the file comment). */
export interface PlacementReport {
  /** the subnets, in execution order */
  readonly subnets: readonly Subnet[];
  /** every copy between units, in execution order */
  readonly copies: readonly PlacementCopy[];
  /** per unit that ran at least one node */
  readonly totals: Readonly<Partial<Record<ComputeUnit, UnitTotals>>>;
  /**
   * The input shapes of the profiled inference, by input name: the graph's own dims, with each symbolic dim as 1.
   * Copy sizes are those of these shapes (a graph compiled with `onnx_define_symbol` has no symbolic dims left).
   */
  readonly measuredWith: Readonly<Record<string, readonly number[]>>;
}

/** One node event of an onnxruntime profile (the fields used here). */
interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  args?: { provider?: string; op_name?: string; input_type_shape?: Array<Record<string, number[]>> };
}

const BYTES: Readonly<Record<string, number>> = {
  float: 4, double: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

/** The compute unit of an onnxruntime execution provider name. */
export function unitOfProvider(provider: string): ComputeUnit {
  return provider === 'CPUExecutionProvider' ? 'cpu' : /Qnn|Npu/i.test(provider) ? 'npu' : 'gpu';
}

/**
 * The units an onnxruntime copy node moves a tensor between, or undefined for any other operator. Both copy
 * operators run on the device's provider: `MemcpyToHost` leaves the device for the CPU, `MemcpyFromHost` enters it.
 */
export function copyUnits(op: string, provider: string): { from: ComputeUnit; to: ComputeUnit } | undefined {
  if (op !== 'MemcpyToHost' && op !== 'MemcpyFromHost') return undefined;
  const device = unitOfProvider(provider);
  return op === 'MemcpyToHost' ? { from: device, to: 'cpu' } : { from: 'cpu', to: device };
}

/** The partition report of one profiled inference's events (an onnxruntime profile file's JSON array). */
export function placementFromProfile(events: readonly ProfileEvent[], measuredWith: Record<string, readonly number[]> = {}): PlacementReport {
  const nodes = events
    .filter((e) => e.cat === 'Node' && typeof e.name === 'string' && e.name.endsWith('_kernel_time') && typeof e.args?.provider === 'string')
    .sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const subnets: Array<{ unit: ComputeUnit; provider: string; nodes: PlacedNode[]; copiesIn: PlacementCopy[] }> = [];
  const copies: PlacementCopy[] = [];
  let pending: PlacementCopy[] = [];
  for (const e of nodes) {
    const name = e.name!.slice(0, -'_kernel_time'.length);
    const op = e.args!.op_name ?? '?';
    const provider = e.args!.provider!;
    const direction = copyUnits(op, provider);
    if (direction !== undefined) {
      const [dtype, shape] = Object.entries(e.args!.input_type_shape?.[0] ?? {})[0] ?? ['float', []];
      const copy: PlacementCopy = Object.freeze({
        ...direction, node: name, dtype,
        shape: Object.freeze([...shape]), bytes: shape.reduce((p, d) => p * d, 1) * (BYTES[dtype] ?? 0),
      });
      copies.push(copy);
      const current = subnets[subnets.length - 1];
      if (current !== undefined && current.unit === copy.to) current.copiesIn.push(copy);
      else pending.push(copy);
      continue;
    }
    const unit = unitOfProvider(provider);
    let current = subnets[subnets.length - 1];
    if (current === undefined || current.unit !== unit || current.provider !== provider) {
      current = { unit, provider, nodes: [], copiesIn: [] };
      subnets.push(current);
    }
    current.nodes.push(Object.freeze({ name, op }));
    if (pending.length > 0) {
      current.copiesIn.push(...pending);
      pending = [];
    }
  }
  const totals: Partial<Record<ComputeUnit, UnitTotals>> = {};
  for (const s of subnets) {
    const t = totals[s.unit] ?? { nodes: 0, subnets: 0, bytesIn: 0 };
    totals[s.unit] = { nodes: t.nodes + s.nodes.length, subnets: t.subnets + 1, bytesIn: t.bytesIn + s.copiesIn.reduce((n, c) => n + c.bytes, 0) };
  }
  for (const u of Object.keys(totals) as ComputeUnit[]) Object.freeze(totals[u]);
  return Object.freeze({
    subnets: Object.freeze(subnets.map((s) => Object.freeze({ ...s, nodes: Object.freeze(s.nodes), copiesIn: Object.freeze(s.copiesIn) }))),
    copies: Object.freeze(copies),
    totals: Object.freeze(totals),
    measuredWith: Object.freeze(Object.fromEntries(Object.entries(measuredWith).map(([k, v]) => [k, Object.freeze([...v])]))),
  });
}

/**
 * The partition report of one onnxruntime profile file (what either engine's profiled placement inference wrote).
 *
 * @throws Error when the file cannot be read or is not an onnxruntime profile
 */
export function placementFromProfileFile(file: string, measuredWith: Record<string, readonly number[]>): PlacementReport {
  return placementFromProfile(JSON.parse(readRegularTextFileSync(file, { what: 'onnxruntime profile', maxBytes: MAX_PLACEMENT_PROFILE_BYTES })) as ProfileEvent[], measuredWith);
}

/** onnxruntime's load error when `session.disable_cpu_ep_fallback` refused nodes no listed provider runs. */
export const CPU_FALLBACK_DISABLED = /fallback to CPU EP has been explicitly disabled/;

/**
 * The error for a graph onnxruntime refused under {@link CPU_FALLBACK_DISABLED} (`compute_unit` without `'cpu'`): the
 * nodes only the CPU runs, named from `measured` (a placement measured with the CPU allowed), or why they could not be
 * named. Both engines answer with it.
 */
export function mandatoryUnitsError(computeUnits: readonly string[], measured: PlacementReport | Error, cause: unknown): QaicError {
  let names: string;
  if (measured instanceof Error) {
    names = `the nodes could not be named (${measured.message})`;
  } else {
    const nodes = cpuNodes(measured);
    names = `${nodes.length} node(s) only the CPU runs: ${nodes.slice(0, 20).map((n) => `${n.name} (${n.op})`).join(', ')}${nodes.length > 20 ? ', ...' : ''}`;
  }
  return new QaicError('QAIC_COMPUTE_UNIT_UNAVAILABLE', `option 'compute_unit' (${computeUnits.join(',')}) lists no 'cpu', so its units are mandatory, and ${names}; add 'cpu' to the list to let them fall back`, {
    cause, details: { option: 'compute_unit', computeUnits: [...computeUnits] },
  });
}

type Ort = typeof import('onnxruntime-node');

/**
 * Load `modelPath` with `sessionOptions` in a session of its own, profiled, run it once on zeros (symbolic dims as
 * 1) and read where onnxruntime placed each node. The profile file lives in a private temp folder, removed after.
 *
 * @throws whatever onnxruntime throws while loading or running
 */
export async function measurePlacement(ort: Ort, modelPath: string, sessionOptions: Record<string, unknown>): Promise<PlacementReport> {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-placement-'));
  let session: import('onnxruntime-node').InferenceSession | undefined;
  try {
    // quiet: the activation's own session already logged what onnxruntime had to say about this graph
    session = await ort.InferenceSession.create(modelPath, { ...sessionOptions, logSeverityLevel: 3, enableProfiling: true, profileFilePrefix: join(dir, 'placement') } as never);
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
    const shapes: Record<string, number[]> = {};
    for (const meta of session.inputMetadata) {
      if (!meta.isTensor) throw new Error(`input '${meta.name}' is not a tensor`);
      const shape = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
      shapes[meta.name] = shape;
      const count = shape.reduce((p, d) => p * d, 1);
      const type = meta.type as string;
      const data = type === 'string' ? new Array<string>(count).fill('')
        : type === 'int64' ? new BigInt64Array(count) : type === 'uint64' ? new BigUint64Array(count)
          : type === 'bool' ? new Uint8Array(count) : new (TYPED[type] ?? Float32Array)(count);
      feeds[meta.name] = new ort.Tensor(type as 'float32', data as Float32Array, shape);
    }
    await session.run(feeds);
    session.endProfiling();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (file === undefined) throw new Error('onnxruntime wrote no profile');
    return placementFromProfileFile(join(dir, file), shapes);
  } finally {
    await session?.release().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const TYPED: Readonly<Record<string, new (n: number) => ArrayLike<number>>> = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, float16: Uint16Array,
};

/** The nodes of a report that ran on the CPU (for the error of a mandatory unit list). */
export function cpuNodes(report: PlacementReport): PlacedNode[] {
  return report.subnets.filter((s) => s.unit === 'cpu').flatMap((s) => s.nodes);
}

/**
 * The report as text lines (what `qaic-runner` and `qaic-exec` print): totals per unit, then the subnets in order
 * (at most `maxSubnets`), each with its unit, node count, first operator types and the bytes copied into it. `when`
 * says where it was measured (`'at activation'`, `'at compile'`).
 */
export function formatPlacement(report: PlacementReport, maxSubnets = 12, when = 'at activation'): string[] {
  const lines = [` ---- Placement (where onnxruntime ran each node, measured ${when}) ----`];
  for (const [unit, t] of Object.entries(report.totals)) {
    lines.push(`${unit}: ${t.nodes} node(s) in ${t.subnets} subnet(s), ${t.bytesIn} B copied in per inference`);
  }
  for (const [i, s] of report.subnets.slice(0, maxSubnets).entries()) {
    const ops = [...new Set(s.nodes.map((n) => n.op))];
    const copied = s.copiesIn.reduce((n, c) => n + c.bytes, 0);
    lines.push(`  subnet ${i}: ${s.unit}, ${s.nodes.length} node(s) (${ops.slice(0, 4).join(', ')}${ops.length > 4 ? ', ...' : ''})${copied > 0 ? `, ${copied} B copied in` : ''}`);
  }
  if (report.subnets.length > maxSubnets) lines.push(`  ... ${report.subnets.length - maxSubnets} more subnet(s)`);
  const shapes = Object.entries(report.measuredWith).map(([name, shape]) => `${name} ${shape.join('x')}`).join(', ');
  if (shapes !== '') lines.push(`(measured on zeros of ${shapes})`);
  return lines;
}

const UNITS: readonly string[] = ['npu', 'gpu', 'cpu'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every(isCount);

/** What is wrong with one stored copy entry, or undefined. */
function copyProblem(c: unknown, where: string): string | undefined {
  if (!isObject(c) || !UNITS.includes(c.from as string) || !UNITS.includes(c.to as string) || typeof c.node !== 'string'
    || typeof c.dtype !== 'string' || !isShape(c.shape) || !isCount(c.bytes)) return `${where} is not a copy (from, to, node, dtype, shape, bytes)`;
  return undefined;
}

/**
 * Why `value` (read back from a file: a program's manifest or a compile record) is not a {@link PlacementReport}, or
 * undefined when it is one. Stored reports are untrusted: every field is checked for type and range, and the totals
 * must be those of the subnets, so that a printout or a caller never shows figures the subnets do not give.
 */
export function placementProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not an object';
  if (!Array.isArray(value.subnets) || !Array.isArray(value.copies) || !isObject(value.totals) || !isObject(value.measuredWith)) {
    return 'it lacks subnets, copies, totals or measuredWith';
  }
  const sums: Record<string, { nodes: number; subnets: number; bytesIn: number }> = {};
  for (const [i, s] of value.subnets.entries()) {
    if (!isObject(s) || !UNITS.includes(s.unit as string) || typeof s.provider !== 'string' || !Array.isArray(s.nodes) || !Array.isArray(s.copiesIn)) {
      return `subnet ${i} is not a subnet (unit, provider, nodes, copiesIn)`;
    }
    if (!s.nodes.every((n) => isObject(n) && typeof n.name === 'string' && typeof n.op === 'string')) return `subnet ${i} has a node without a name or op`;
    for (const [j, c] of s.copiesIn.entries()) {
      const problem = copyProblem(c, `copy ${j} of subnet ${i}`);
      if (problem !== undefined) return problem;
    }
    const sum = sums[s.unit as string] ??= { nodes: 0, subnets: 0, bytesIn: 0 };
    sum.nodes += s.nodes.length;
    sum.subnets++;
    sum.bytesIn += (s.copiesIn as PlacementCopy[]).reduce((n, c) => n + c.bytes, 0);
  }
  for (const [i, c] of value.copies.entries()) {
    const problem = copyProblem(c, `copy ${i}`);
    if (problem !== undefined) return problem;
  }
  const units = Object.keys(value.totals);
  if (units.length !== Object.keys(sums).length || units.some((u) => sums[u] === undefined)) return `its totals name units (${units.join(', ')}) other than its subnets' (${Object.keys(sums).join(', ')})`;
  for (const u of units) {
    const t = value.totals[u];
    const sum = sums[u]!;
    if (!isObject(t) || t.nodes !== sum.nodes || t.subnets !== sum.subnets || t.bytesIn !== sum.bytesIn) return `its totals for ${u} are not the sums of its subnets`;
  }
  for (const [name, shape] of Object.entries(value.measuredWith)) if (!isShape(shape)) return `measuredWith.${name} is not a shape`;
  return undefined;
}

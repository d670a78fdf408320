/**
 * Reading onnxruntime's profile files (Chrome trace-event JSON, one file per activation) and summarising them per
 * operator.
 */
import { readFileSync } from 'node:fs';
import { QaicError } from '../errors.js';
import type { ComputeUnit } from '../runtime/compute-units.js';
import { unitOfProvider, type PlacementReport } from '../runtime/placement.js';

/** One complete (`ph: "X"`) event of an onnxruntime profile; `ts`/`dur` in µs since its profiler started. */
export interface OrtEvent {
  /** event category: `'Session'` (model loading, `model_run`) or `'Node'` (one operator) */
  cat: string;
  /** event name, e.g. `model_run`, or `<node name>_kernel_time` for an operator's kernel */
  name: string;
  /** trace-event phase; {@link readOrtProfile} keeps only `'X'` (complete events) */
  ph?: string;
  /** start, µs since onnxruntime's profiler started (in `InferenceSession.create()`) */
  ts: number;
  /** duration, µs */
  dur: number;
  /** process id onnxruntime wrote */
  pid?: number;
  /** thread id onnxruntime wrote */
  tid?: number;
  /** onnxruntime's extra fields; `Node` events carry the operator type and execution provider */
  args?: {
    /** operator type of the node, e.g. `Conv` */
    op_name?: string;
    /** execution provider that ran the node, e.g. `CPUExecutionProvider` */
    provider?: string;
    [key: string]: unknown;
  };
}

/**
 * Read an onnxruntime profile file.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND` when the file is missing, `QAIC_INVALID_ARGUMENT` when it is not an
 *   onnxruntime profile (a JSON array of trace events)
 */
export function readOrtProfile(file: string): OrtEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `onnxruntime profile '${file}' cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error, details: { file } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `onnxruntime profile '${file}' is not JSON (${(error as Error).message})`, { cause: error, details: { file } });
  }
  if (!Array.isArray(parsed)) throw new QaicError('QAIC_INVALID_ARGUMENT', `onnxruntime profile '${file}' must be a JSON array of trace events, got ${typeof parsed}`, { details: { file } });
  return parsed.filter((e): e is OrtEvent => typeof e === 'object' && e !== null && (e as OrtEvent).ph === 'X' && typeof (e as OrtEvent).ts === 'number' && typeof (e as OrtEvent).dur === 'number');
}

/** One row of the operator table: one graph node, all activations together. Times in seconds. */
export interface OperatorRow {
  /** operator type, e.g. `Conv` (`'?'` when the profile does not say) */
  opType: string;
  /** node name in the graph */
  node: string;
  /** execution provider that ran it, e.g. `CPUExecutionProvider` (`'?'` when the profile does not say) */
  provider: string;
  /** the compute unit of that provider (`'cpu'`, `'gpu'`, `'npu'`; `'?'` when the profile does not say) */
  unit: ComputeUnit | '?';
  /** its subnet in the session's partition report (`session.placement`), when it has one that names this node */
  subnet?: number;
  /** kernel executions counted, all activations */
  calls: number;
  /** kernel time summed over the calls, seconds */
  total: number;
  /** `total / calls`, seconds */
  mean: number;
  /** fraction (0..1) of all operator time */
  share: number;
}

const KERNEL_SUFFIX = '_kernel_time';

/**
 * Per-node totals over several activations' events, largest total first; with the partition report (`placement`)
 * each row names its subnet (the subnet a copy node brings its tensor into).
 */
export function operatorTable(eventsPerActivation: ReadonlyArray<readonly OrtEvent[]>, placement?: PlacementReport): OperatorRow[] {
  const subnetOf = placement === undefined ? undefined : subnetsByNode(placement);
  const rows = new Map<string, OperatorRow>();
  let all = 0;
  for (const events of eventsPerActivation) {
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
      const node = e.name.slice(0, -KERNEL_SUFFIX.length);
      let row = rows.get(node);
      if (row === undefined) {
        const provider = e.args?.provider;
        row = { opType: String(e.args?.op_name ?? '?'), node, provider: String(provider ?? '?'), unit: typeof provider === 'string' ? unitOfProvider(provider) : '?', calls: 0, total: 0, mean: 0, share: 0 };
        const subnet = subnetOf?.get(node);
        if (subnet !== undefined) row.subnet = subnet;
        rows.set(node, row);
      }
      row.calls++;
      row.total += e.dur / 1e6;
      all += e.dur / 1e6;
    }
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.mean = r.total / r.calls;
    r.share = all > 0 ? r.total / all : 0;
  }
  return out.sort((a, b) => b.total - a.total);
}

/** The operator table as text, the `maxRows` largest nodes, then one line for the rest. */
export function formatOperatorTable(rows: readonly OperatorRow[], maxRows: number): string[] {
  const shown = rows.slice(0, maxRows);
  // the subnet column only where there is a partition report (compute units beyond the CPU): the CPU table is unchanged
  const bySubnet = rows.some((r) => r.subnet !== undefined);
  const header = ['op type', 'node', 'provider', ...(bySubnet ? ['subnet'] : []), 'calls', 'total (s)', 'mean (s)', 'share'];
  const cells = shown.map((r) => [r.opType, r.node, r.provider, ...(bySubnet ? [r.subnet === undefined ? '-' : String(r.subnet)] : []), String(r.calls), r.total.toFixed(6), r.mean.toFixed(9), `${(r.share * 100).toFixed(2)} %`]);
  const lines = alignColumns(header, cells, bySubnet ? 4 : 3);
  const rest = rows.slice(maxRows);
  if (rest.length > 0) {
    const share = rest.reduce((s, r) => s + r.share, 0);
    lines.push(`... ${rest.length} more nodes, ${(share * 100).toFixed(2)} % of operator time`);
  }
  return lines;
}

/**
 * A text table: the header, a rule, then the rows, columns two spaces apart; the first `textColumns` columns are
 * left-aligned, the rest (numbers) right-aligned.
 */
export function alignColumns(header: readonly string[], cells: ReadonlyArray<readonly string[]>, textColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((v, i) => (i >= textColumns ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

/** Each node of a partition report (copy nodes included) to the index of its subnet. */
export function subnetsByNode(placement: PlacementReport): Map<string, number> {
  const subnetOf = new Map<string, number>();
  placement.subnets.forEach((s, i) => {
    for (const n of s.nodes) subnetOf.set(n.name, i);
    for (const c of s.copiesIn) subnetOf.set(c.node, i);
  });
  return subnetOf;
}

/**
 * Reading onnxruntime's profile files (Chrome trace-event JSON, one file per activation) and summarising them per
 * operator.
 */
import { readFileSync } from 'node:fs';
import { QaicError } from '../errors.js';

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

/** Per-node totals over several activations' events, largest total first. */
export function operatorTable(eventsPerActivation: ReadonlyArray<readonly OrtEvent[]>): OperatorRow[] {
  const rows = new Map<string, OperatorRow>();
  let all = 0;
  for (const events of eventsPerActivation) {
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
      const node = e.name.slice(0, -KERNEL_SUFFIX.length);
      let row = rows.get(node);
      if (row === undefined) {
        rows.set(node, (row = { opType: String(e.args?.op_name ?? '?'), node, provider: String(e.args?.provider ?? '?'), calls: 0, total: 0, mean: 0, share: 0 }));
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
  const header = ['op type', 'node', 'provider', 'calls', 'total (s)', 'mean (s)', 'share'];
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((r) => [r.opType, r.node, r.provider, String(r.calls), r.total.toFixed(6), r.mean.toFixed(9), `${(r.share * 100).toFixed(2)} %`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i >= 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  const rest = rows.slice(maxRows);
  if (rest.length > 0) {
    const share = rest.reduce((s, r) => s + r.share, 0);
    lines.push(`... ${rest.length} more nodes, ${(share * 100).toFixed(2)} % of operator time`);
  }
  return lines;
}

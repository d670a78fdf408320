/**
 * One Chrome / Perfetto trace (trace-event JSON) for the whole stack: the host stages of every profiled `run()`
 * and every activation's onnxruntime events, on one timeline.
 *
 * Layout: one process per activation (`pid` = activation index + 1, named "activation N"), with two threads:
 * `tid` 1 "host stages" (the six stages of `stages.ts`, per inference) and `tid` 2 "onnxruntime" (that
 * activation's profile events). When nodes ran on more than the CPU, their events move to one thread per compute
 * unit (`tid` 3 "onnxruntime cpu", 4 "onnxruntime gpu", 5 "onnxruntime npu"). Timestamps are µs from the earliest
 * event.
 *
 * Alignment: onnxruntime stamps events in µs since its profiler started inside `InferenceSession.create()`; the
 * worker notes the process-wide clock just before create (`createStartNs`), which places the events within the
 * loading time; then the offset is refined by matching each host-side onnxruntime run to the nearest `model_run`
 * event and taking the median difference.
 *
 * `runBenchmark()` inferences appear as onnxruntime events only: their loop runs inside the activation, so there are
 * no host stages to show for them.
 */
import type { RunTrace } from '../runtime/trace.js';
import { subnetsByNode, type OrtEvent } from './ort-profile.js';
import type { ComputeUnit } from '../runtime/compute-units.js';
import { copyUnits, unitOfProvider, type PlacementReport } from '../runtime/placement.js';
import { stageSpans } from './stages.js';

/** One activation's onnxruntime profile and its anchor. */
export interface ActivationProfile {
  /** activation index */
  activation: number;
  /** process-wide monotonic ns just before onnxruntime's create() (0 when unknown) */
  createStartNs: number;
  /** the activation's complete (`ph: "X"`) onnxruntime events, as `readOrtProfile()` returns them */
  events: readonly OrtEvent[];
  /** path of the profile file onnxruntime wrote (undefined when it wrote none) */
  file?: string | undefined;
  /**
   * the graph it profiled, when the session serves several (`graph: 'auto'`: each graph an activation loads has a
   * profile of its own, aligned with the runs of that graph); absent otherwise
   */
  graph?: string;
}

/** A trace event as written. */
export interface TraceEvent {
  /** host stage name, onnxruntime event name, or metadata name (`process_name`, `thread_name`...) */
  name: string;
  /** `'host'` for host stages, `'onnxruntime.<category>'` for onnxruntime events; absent on metadata */
  cat?: string;
  /** `'X'` complete event (with `dur`), `'M'` metadata (names and sort order of processes and threads) */
  ph: 'X' | 'M';
  /** start, µs from the earliest event of the trace (0 for metadata) */
  ts: number;
  /** duration, µs (complete events only) */
  dur?: number;
  /** activation index + 1 */
  pid: number;
  /** 1 for host stages, 2 for onnxruntime events; 3, 4, 5 for the node events of the CPU, GPU, NPU when nodes ran on more than the CPU */
  tid: number;
  /**
   * host stages: `inference` (index among the traces) and `first`; onnxruntime: `op_name`, `provider`, and `graph`
   * when the session serves several graphs, plus `unit` and `subnet` on the per-unit tracks; metadata:
   * `name` or `sort_index`
   */
  args?: Record<string, unknown>;
}

/** The trace document (`traceEvents` form, accepted by chrome://tracing and ui.perfetto.dev). */
export interface TraceDocument {
  /** metadata events first, then every complete event in start order */
  traceEvents: TraceEvent[];
  /** unit the viewers display (timestamps stay in µs) */
  displayTimeUnit: 'ms';
  /** free-form facts about the trace: `producer` (`'qaic'`) and how the timelines were aligned */
  otherData: Record<string, unknown>;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}

/** Offset (ns) to add to `createStartNs + ts*1000` so that model_run events line up with host-side runs. */
function refineOffsetNs(profile: ActivationProfile, traces: readonly RunTrace[]): number {
  const runs = profile.events.filter((e) => e.name === 'model_run').map((e) => profile.createStartNs + e.ts * 1000).sort((a, b) => a - b);
  const host = traces.filter((t) => t.activation === profile.activation && t.ok && (profile.graph === undefined || t.graph === profile.graph)).map((t) => t.worker.runStart);
  if (runs.length === 0 || host.length === 0) return 0;
  const diffs: number[] = [];
  for (const h of host) {
    // nearest model_run start (binary search)
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    const cands = [runs[lo]!, runs[Math.max(0, lo - 1)]!];
    const best = cands.reduce((a, b) => (Math.abs(b - h) < Math.abs(a - h) ? b : a));
    diffs.push(h - best);
  }
  const offset = median(diffs);
  // A refinement larger than a second means the matching failed (e.g. only benchmark runs were profiled).
  return Math.abs(offset) < 1e9 ? offset : 0;
}

/** The trace thread of each compute unit's node events, when the trace has one track per unit. */
const UNIT_TIDS: Readonly<Record<ComputeUnit, number>> = { cpu: 3, gpu: 4, npu: 5 };

/**
 * Build the merged trace. When nodes ran on a unit other than the CPU (the profile's `args.provider`), each unit's
 * node events get a track (thread) of their own, `onnxruntime <unit>`, and carry `unit` (and, with the partition
 * report `placement`, `subnet`) in their args; the session events (`model_run`, ...) stay on `onnxruntime`. A
 * CPU-only trace keeps every onnxruntime event on that one track, as before.
 */
export function buildTrace(traces: readonly RunTrace[], profiles: readonly ActivationProfile[], placement?: PlacementReport): TraceDocument {
  const unitOf = (e: OrtEvent): ComputeUnit | undefined => {
    if (e.cat !== 'Node' || typeof e.args?.provider !== 'string') return undefined;
    return copyUnits(String(e.args.op_name ?? ''), e.args.provider)?.to ?? unitOfProvider(e.args.provider);
  };
  const perUnit = profiles.some((p) => p.events.some((e) => (unitOf(e) ?? 'cpu') !== 'cpu'));
  const subnetOf = perUnit && placement !== undefined ? subnetsByNode(placement) : undefined;
  const units = new Set<ComputeUnit>();
  const raw: Array<{ name: string; cat: string; startNs: number; durNs: number; pid: number; tid: number; args?: Record<string, unknown> }> = [];
  const activations = new Set<number>();
  traces.forEach((t, i) => {
    if (t.activation < 0) return;
    activations.add(t.activation);
    for (const s of stageSpans(t)) {
      raw.push({ name: s.stage, cat: 'host', startNs: s.startNs, durNs: s.durNs, pid: t.activation + 1, tid: 1, args: { inference: i, first: t.first } });
    }
  });
  for (const p of profiles) {
    activations.add(p.activation);
    const base = p.createStartNs + refineOffsetNs(p, traces);
    for (const e of p.events) {
      const args: Record<string, unknown> = {};
      if (e.args?.op_name !== undefined) args.op_name = e.args.op_name;
      if (e.args?.provider !== undefined) args.provider = e.args.provider;
      if (p.graph !== undefined) args.graph = p.graph;
      let tid = 2;
      const unit = perUnit ? unitOf(e) : undefined;
      if (unit !== undefined) {
        units.add(unit);
        tid = UNIT_TIDS[unit];
        args.unit = unit;
        const subnet = subnetOf?.get(e.name.endsWith('_kernel_time') ? e.name.slice(0, -'_kernel_time'.length) : e.name);
        if (subnet !== undefined) args.subnet = subnet;
      }
      raw.push({ name: e.name, cat: `onnxruntime.${e.cat}`, startNs: base + e.ts * 1000, durNs: e.dur * 1000, pid: p.activation + 1, tid, args });
    }
  }
  const origin = raw.reduce((m, e) => Math.min(m, e.startNs), Infinity);
  const traceEvents: TraceEvent[] = [];
  for (const a of [...activations].sort((x, y) => x - y)) {
    traceEvents.push({ name: 'process_name', ph: 'M', ts: 0, pid: a + 1, tid: 1, args: { name: `activation ${a}` } });
    traceEvents.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid: a + 1, tid: 1, args: { sort_index: a } });
    traceEvents.push({ name: 'thread_name', ph: 'M', ts: 0, pid: a + 1, tid: 1, args: { name: 'host stages' } });
    traceEvents.push({ name: 'thread_name', ph: 'M', ts: 0, pid: a + 1, tid: 2, args: { name: 'onnxruntime' } });
    for (const u of units) traceEvents.push({ name: 'thread_name', ph: 'M', ts: 0, pid: a + 1, tid: UNIT_TIDS[u], args: { name: `onnxruntime ${u}` } });
  }
  for (const e of raw.sort((x, y) => x.startNs - y.startNs)) {
    const ev: TraceEvent = { name: e.name, cat: e.cat, ph: 'X', ts: (e.startNs - origin) / 1000, dur: e.durNs / 1000, pid: e.pid, tid: e.tid };
    if (e.args !== undefined) ev.args = e.args;
    traceEvents.push(ev);
  }
  return { traceEvents, displayTimeUnit: 'ms', otherData: { producer: 'qaic', alignment: 'createStartNs + median(model_run vs host run start)' } };
}

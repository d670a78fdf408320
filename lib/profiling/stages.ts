/**
 * Where one inference's time went, host side: the six stages between `run()` being called and resolving. They
 * partition the end-to-end time exactly (the durations add up to it).
 */
import type { RunTrace } from '../runtime/trace.js';

/** Stage names, in order, as printed. */
export const HOST_STAGES = ['input checks', 'queue', 'transfer in', 'onnxruntime run', 'transfer out', 'output building'] as const;

/** One of {@link HOST_STAGES}. */
export type HostStage = (typeof HOST_STAGES)[number];

/** A stage of one inference: start and duration in process-wide monotonic ns. */
export interface StageSpan {
  /** which stage */
  stage: HostStage;
  /** when the stage began, ns on the process-wide monotonic clock shared by the main thread and the workers */
  startNs: number;
  /** how long it lasted, ns (never negative; the six durations add up to the end-to-end time) */
  durNs: number;
}

/**
 * The stages of a trace.
 * - input checks: `run()` called → inputs validated and prepared for transfer
 * - queue: waiting for an activation with a free `set_size` slot
 * - transfer in: posting to the activation, the message crossing, wrapping the inputs as onnxruntime tensors
 * - onnxruntime run: `session.run()` inside the activation
 * - transfer out: packing the outputs, the message crossing back
 * - output building: turning the message into the caller's output tensors
 */
export function stageSpans(t: RunTrace): StageSpan[] {
  const points = [t.callNs, t.validatedNs, t.takenNs, t.worker.runStart, t.worker.runEnd, t.receivedNs, t.doneNs];
  return HOST_STAGES.map((stage, i) => ({ stage, startNs: points[i]!, durNs: Math.max(0, points[i + 1]! - points[i]!) }));
}

/**
 * The first-`n`-inferences table of `print_profile_data(n)`, in the Python sample's layout: per inference a header
 * line, then one line per stage as `('qaic', <stage number>, '<stage>') <num calls> <func time s> <tot time s>`,
 * where func time is the stage's own time and tot time the time from `run()` being called to the end of the stage.
 */
export function formatStageTable(traces: readonly RunTrace[], n: number): string[] {
  const lines: string[] = [];
  const shown = traces.slice(0, n);
  shown.forEach((t, i) => {
    lines.push(`Inference ${i + 1} of ${shown.length} (activation ${t.activation}${t.first ? ', first inference of this activation' : ''}${t.ok ? '' : ', failed'}): ${(t.doneNs - t.callNs) / 1e9} s`);
    lines.push('|  File-Line-Function  | |  num calls  | |  func time  | |  tot time  |');
    let cumulative = 0;
    stageSpans(t).forEach((s, k) => {
      cumulative += s.durNs;
      lines.push(`('qaic', ${k + 1}, '${s.stage}') 1 ${s.durNs / 1e9} ${cumulative / 1e9}`);
    });
  });
  return lines;
}

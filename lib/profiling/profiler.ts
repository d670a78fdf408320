/**
 * The profiling side of a session with `enable_profiling`: it keeps the timeline of the first inferences and, when
 * asked, ends onnxruntime's profiling in every activation and reads the files.
 *
 * onnxruntime writes its profile only when profiling ends, and profiling cannot be restarted in that session
 * (onnxruntime-node's `startProfiling()` does nothing). So the first call that needs operator data ends profiling
 * for the activations running then; later calls reuse what was collected. Inferences after that point still get
 * host stages but no operator events. To profile again, `reset()` the session (new activations profile afresh).
 */
import type { RunObserver, RunTrace } from '../runtime/trace.js';
import type { Runtime } from '../runtime/runtime.js';
import { readOrtProfile } from './ort-profile.js';
import type { ActivationProfile } from './trace-file.js';

/** How many inference timelines a profiling session keeps (about 200 bytes each). */
const MAX_PROFILED_TRACES = 100_000;

/** Keeps traces and onnxruntime profiles. */
export class Profiler implements RunObserver {
  readonly #traces: RunTrace[] = [];
  /** every profile collected, including those of activations since replaced or released */
  readonly #profiles: ActivationProfile[] = [];
  dropped = 0;

  onRun(trace: RunTrace): void {
    if (this.#traces.length < MAX_PROFILED_TRACES) this.#traces.push(trace);
    else this.dropped++;
  }

  /** Timelines of the profiled inferences, in completion order. */
  get traces(): readonly RunTrace[] {
    return this.#traces;
  }

  /**
   * End onnxruntime profiling in every activation not yet ended and read its files (one per graph it loaded);
   * returns every profile collected so far (including those of activations since replaced).
   *
   * @param graphNames the names of the graphs served, by index, when the session serves several (`graph: 'auto'`):
   *   each profile is then labelled with its graph's name, as the runs' traces are
   */
  async collect(runtime: Runtime | undefined, graphNames?: readonly string[]): Promise<ActivationProfile[]> {
    const ended = runtime === undefined ? [] : await runtime.endProfiling();
    for (const p of ended) {
      const profile: ActivationProfile = { activation: p.activation, createStartNs: p.createStartNs, events: p.file === undefined ? [] : readOrtProfile(p.file), file: p.file };
      const graph = graphNames?.[p.graph ?? 0];
      if (graph !== undefined) profile.graph = graph;
      this.#profiles.push(profile);
    }
    return [...this.#profiles].sort((x, y) => x.activation - y.activation);
  }
}

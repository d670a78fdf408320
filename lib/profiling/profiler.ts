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
import type { Activation } from '../runtime/activation.js';
import { readOrtProfile } from './ort-profile.js';
import type { ActivationProfile } from './trace-file.js';

/** How many inference timelines a profiling session keeps (about 200 bytes each). */
const MAX_PROFILED_TRACES = 100_000;

/** Keeps traces and onnxruntime profiles. */
export class Profiler implements RunObserver {
  readonly #traces: RunTrace[] = [];
  readonly #profiles = new Map<Activation, ActivationProfile>();
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
   * End onnxruntime profiling in every activation not yet ended and read its file; returns every profile
   * collected so far (including those of activations since replaced).
   */
  async collect(activations: readonly Activation[]): Promise<ActivationProfile[]> {
    await Promise.all(activations.filter((a) => !this.#profiles.has(a) && a.state === 'ready').map(async (a) => {
      const file = await a.endProfiling();
      const events = file === undefined ? [] : readOrtProfile(file);
      this.#profiles.set(a, { activation: a.index, createStartNs: a.startTimes?.createStartNs ?? 0, events, file });
    }));
    return [...this.#profiles.values()].sort((x, y) => x.activation - y.activation);
  }
}

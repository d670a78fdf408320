/**
 * Records every inference of a session (through `session.observe()`) with what the charts need and the metrics
 * histograms do not keep: each inference's activation, end-to-end latency and completion time. From that it builds
 * the chart inputs: percentile curves, per-activation histograms and throughput over time.
 */
import { QaicError } from '../errors.js';
import type { RunObserver, RunTrace } from '../runtime/trace.js';
import type { HistogramSeries } from './histogram-chart.js';
import { percentilePoints, type PercentileSeries } from './percentile-chart.js';
import { throughputPoints, type ThroughputSeries } from './throughput-chart.js';

/** One recorded inference. Times in nanoseconds of the process-wide monotonic clock. */
export interface RecordedRun {
  /** index of the activation that ran it (0-based); negative when the inference failed before reaching one */
  activation: number;
  /** the activation's first inference (one-off costs; left out of the charts unless asked for) */
  first: boolean;
  /** false when the inference failed; failed inferences are left out of every series */
  ok: boolean;
  /** when `run()` was called */
  callNs: number;
  /** when its promise settled */
  doneNs: number;
}

/** Anything with `observe()`, such as a {@link Session}. */
export interface Observable {
  /** call `observer.onRun()` after every inference from now on; returns the function that unsubscribes */
  observe(observer: RunObserver): () => void;
}

/** Which runs a series uses. */
export interface SeriesOptions {
  /** include every activation's first inference, default false (as `getMetrics()` does) */
  includeFirst?: boolean;
}

/**
 * Collects inference timelines for charts. `attach()` it to a session before running; memory is about 40 bytes per
 * inference, bounded by `limit` (later inferences are counted in {@link dropped} but not kept).
 */
export class RunRecorder implements RunObserver {
  readonly #runs: RecordedRun[] = [];
  readonly #limit: number;
  /** inferences seen after `limit` was reached */
  dropped = 0;

  /**
   * @param limit most inferences kept, default 1 000 000
   * @throws QaicError `QAIC_INVALID_ARGUMENT` when `limit` is not a positive integer
   */
  constructor(limit = 1_000_000) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `RunRecorder limit must be a positive integer (inferences kept); got ${String(limit)}`);
    }
    this.#limit = limit;
  }

  /** A recorder observing `session` from now on; call the returned recorder's `detach()` to stop. */
  static attach(session: Observable, limit?: number): RunRecorder {
    const recorder = new RunRecorder(limit);
    recorder.#detach = session.observe(recorder);
    return recorder;
  }

  #detach: (() => unknown) | undefined;

  /** Stop observing the session given to {@link attach} (idempotent). */
  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  /**
   * The session calls this for every inference ({@link RunObserver}). Public on purpose: the class implements that
   * public interface, so declarations that hid this method would not type-check.
   */
  onRun(trace: RunTrace): void {
    if (this.#runs.length >= this.#limit) {
      this.dropped++;
      return;
    }
    this.#runs.push({ activation: trace.activation, first: trace.first, ok: trace.ok, callNs: trace.callNs, doneNs: trace.doneNs });
  }

  /** Every recorded inference, in completion order. */
  get runs(): readonly RecordedRun[] {
    return this.#runs;
  }

  #selected(options: SeriesOptions, activation?: number): RecordedRun[] {
    return this.#runs.filter((r) => r.ok && r.activation >= 0 && (options.includeFirst === true || !r.first) && (activation === undefined || r.activation === activation));
  }

  /** Activation indices that completed at least one inference, ascending. */
  activations(): number[] {
    return [...new Set(this.#runs.filter((r) => r.ok && r.activation >= 0).map((r) => r.activation))].sort((a, b) => a - b);
  }

  /** End-to-end latencies in milliseconds of the successful inferences (of one activation, or all). */
  latenciesMs(activation?: number, options: SeriesOptions = {}): Float64Array {
    return Float64Array.from(this.#selected(options, activation), (r) => (r.doneNs - r.callNs) / 1e6);
  }

  #nonEmpty(what: string, options: SeriesOptions): void {
    if (this.#selected(options).length === 0) {
      throw new QaicError('QAIC_INVALID_ARGUMENT',
        `${what}: no successful inference recorded${options.includeFirst === true ? '' : ' after each activation\'s first'}; run the session (with the recorder attached) first`);
    }
  }

  /**
   * Percentile curves in milliseconds: all activations merged (`all`), then one per activation when there are several.
   *
   * @throws QaicError `QAIC_INVALID_ARGUMENT` when nothing was recorded
   */
  percentileSeries(options: SeriesOptions = {}): PercentileSeries[] {
    this.#nonEmpty('percentileSeries', options);
    const acts = this.activations().filter((a) => this.#selected(options, a).length > 0);
    const series: PercentileSeries[] = [{ label: 'all activations', points: percentilePoints(this.latenciesMs(undefined, options)) }];
    if (acts.length > 1) for (const a of acts) series.push({ label: `activation ${a}`, points: percentilePoints(this.latenciesMs(a, options)) });
    return series;
  }

  /**
   * Latency samples (ms) per activation, for the histogram.
   *
   * @throws QaicError `QAIC_INVALID_ARGUMENT` when nothing was recorded
   */
  histogramSeries(options: SeriesOptions = {}): HistogramSeries[] {
    this.#nonEmpty('histogramSeries', options);
    return this.activations()
      .map((a) => ({ label: `activation ${a}`, samples: this.latenciesMs(a, options) }))
      .filter((s) => s.samples.length > 0);
  }

  /**
   * Inferences per second over time (seconds since the first recorded call), all activations together; with
   * `itemsPerInference` = batch size the rate counts items. First inferences are included: warm-up is part of the
   * story this chart tells.
   *
   * @param windowSeconds window length; default: the run's length / 40, at least 10 ms
   * @throws QaicError `QAIC_INVALID_ARGUMENT` when nothing was recorded
   */
  throughputSeries(windowSeconds?: number, itemsPerInference = 1): ThroughputSeries[] {
    this.#nonEmpty('throughputSeries', { includeFirst: true });
    const runs = this.#selected({ includeFirst: true });
    // loops, not Math.min(...array): spreading more than ~120 000 runs overflows the call stack
    let start = Infinity;
    for (const r of runs) start = Math.min(start, r.callNs);
    const done = runs.map((r) => (r.doneNs - start) / 1e9);
    let span = 0;
    for (const d of done) span = Math.max(span, d);
    const window = windowSeconds ?? Math.max(0.01, span / 40);
    return [{ label: 'all activations', points: throughputPoints(done, window, itemsPerInference, Math.max(window, span)) }];
  }
}

/**
 * LoadGen evidence: on det and cls, with the best layout `configure()` finds, the highest Server rate whose p99
 * stays within a bound (`findPeak()`), the closed-loop throughput of the same layout, their ratio, and the p99
 * schedule lateness of the open-loop trials. Also how a scenario's reported rate agrees with an outside wall clock.
 *
 * The p99 bound is 15 ms (resnet50's Server bound in mlperf.conf) for cls. PP-OCRv4 det takes tens of ms per
 * inference on a CPU, so 15 ms cannot hold even for one query; its bound is 3x its own single-stream p90, rounded up
 * to 10 ms: room for a query to wait behind about two others, as a 15 ms bound gives a ~5 ms model.
 *
 * `node dist/benchmarks/loadgen-peak.js [--quick]`; writes benchmarks/results/loadgen-peak.json.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { configure } from '../lib/tuning/configure.js';
import { ArrivalClock, nowNs } from '../lib/loadgen/arrival-clock.js';
import { poissonSchedule } from '../lib/loadgen/schedule.js';
import { loadgenLatency } from '../lib/loadgen/latency.js';
import { DEFAULT_MAX_SCHEDULE_LATENESS_MS } from '../lib/loadgen/settings.js';
import type { SessionOptions } from '../lib/options.js';
import { MODELS, QUICK, inputSymbols, machine, saveResult, type BenchModel } from './lib/config.js';

/** One model's figures. */
export interface LoadgenEvidence {
  model: string;
  layout: Record<string, unknown>;
  /** closed-loop runBenchmark() inferences per second: a concurrency result */
  closedLoopInfPerSec: number;
  singleStreamP90Ms: number;
  boundMs: number;
  boundWhy: string;
  /** one FindPeak search per lateness bound: LoadGen-strict (the 1 ms default) and {@link RELAXED_LATENESS_MS} */
  peaks: Array<{
    /** the run's max_schedule_lateness, ms */
    max_schedule_lateness: number;
    /** highest VALID Server target_qps (0: none VALID) */
    peakQps: number;
    /** peakQps / closedLoopInfPerSec */
    ratio: number;
    /** every trial, with its p99 schedule lateness in ms */
    trials: Array<{ target_qps: number; result: string; completed_qps: number; p99_ms: number; p99_lateness_ms: number; reason: string }>;
  }>;
  /**
   * a Server run's completed_qps against queries over an outside wall clock around the call, and the part of that
   * wall clock outside the measured window (`fixedMs`: the warm-up queries, starting and stopping the arrival clock's
   * thread, building the result), which is why the run lasts {@link WALL_CLOCK_RUN_MS} even in quick mode
   */
  wallClock: { target_qps: number; completed_qps: number; outsideQps: number; differencePct: number; runMs: number; fixedMs: number };
  loadBefore: number;
  loadAfter: number;
}

/**
 * How long the wall-clock Server run lasts (ms), in quick mode too. The outside clock also holds a fixed part that is
 * not the rate: the warm-up queries and the arrival clock's thread starting and stopping, about 0.1-0.4 s on these
 * VMs (more under load). Over the quick mode's 2 s runs that alone made a 3 % gap; over 10 s it is a few tenths.
 */
const WALL_CLOCK_RUN_MS = 10_000;

/**
 * The raised lateness bound of the second search. On a 2-vCPU VM the kernel wakes the arrival clock's thread up to
 * a few ms late at p99 even with nothing else running (see clockOnly), so the strict search finds nothing VALID;
 * the second search says what the rate would be if that lateness is accepted.
 */
const RELAXED_LATENESS_MS = 5;

async function evidence(m: BenchModel): Promise<LoadgenEvidence> {
  const loadBefore = loadavg()[0]!;
  const onnx_define_symbol = inputSymbols(m.file, m.shape);
  const tuned = await configure(m.file, { goal: 'throughput', seconds: QUICK ? 0.5 : 1, rounds: QUICK ? 1 : 3, sessionOptions: { onnx_define_symbol } });
  // batch 1 comes from onnx_define_symbol, as in every other benchmark here
  const { batchsize: _batch, ...best } = tuned.best;
  const layout = { ...best } as Record<string, unknown>;
  const session = new Session(m.file, { ...(best as SessionOptions), onnx_define_symbol });
  try {
    await session.setup();
    const closed = await session.runBenchmark({ inf_time: QUICK ? 2 : 5, emitWarnings: false });
    const ss = await session.runBenchmark({ scenario: 'SingleStream', min_duration: QUICK ? 1000 : 3000, min_query_count: 64, emitWarnings: false });
    const p90 = ss.details.loadgen.percentile_latency_ns / 1e6;
    const boundMs = m.key === 'cls' ? 15 : Math.max(15, Math.ceil((3 * p90) / 10) * 10);
    const boundWhy = m.key === 'cls' ? 'resnet50 Server bound of mlperf.conf (15 ms)' : `3 x single-stream p90 (${p90.toFixed(1)} ms), rounded up to 10 ms: 15 ms is below one det inference on this CPU`;
    // 662 queries: early stopping needs 459 for p99 with none over the bound, and mlperf.conf runs p99 scenarios with
    // 662. Trials are capped at max_duration so that halving on a busy machine cannot run for many minutes.
    const minDuration = QUICK ? 2000 : 10_000;
    const start = Math.max(0.5, closed.inf_rate / 2);
    const peaks: LoadgenEvidence['peaks'] = [];
    for (const lateness of [DEFAULT_MAX_SCHEDULE_LATENESS_MS, RELAXED_LATENESS_MS]) {
      const peak = await session.findPeak({
        target_latency: boundMs, target_qps: start, min_duration: minDuration, min_query_count: 662, max_duration: m.key === 'det' ? 45_000 : 30_000,
        min_target_qps: start / 8, precision: 0.1, max_trials: QUICK ? 5 : 8, max_schedule_lateness: lateness,
        onTrial: (t) => console.log(`${m.key} (lateness bound ${lateness} ms): target_qps ${t.target_qps.toFixed(2)} ${t.result} p99 ${(t.percentile_latency_ns / 1e6).toFixed(2)} ms, p99 lateness ${(t.p99_lateness_ns / 1e6).toFixed(2)} ms ${t.reasons[0] ?? ''}`),
      });
      peaks.push({
        max_schedule_lateness: lateness, peakQps: peak.target_qps, ratio: peak.target_qps / closed.inf_rate,
        trials: peak.trials.map((t) => ({ target_qps: t.target_qps, result: t.result, completed_qps: t.completed_qps, p99_ms: t.percentile_latency_ns / 1e6, p99_lateness_ms: t.p99_lateness_ns / 1e6, reason: t.reasons[0] ?? '' })),
      });
    }
    const best = [...peaks].reverse().find((p) => p.peakQps > 0);
    const rate = best !== undefined ? best.peakQps : Math.max(0.5, closed.inf_rate / 4);
    const t0 = performance.now();
    const server = await session.runBenchmark({ scenario: 'Server', target_qps: rate, target_latency: boundMs, min_duration: WALL_CLOCK_RUN_MS, min_query_count: 200, emitWarnings: false });
    const outside = (performance.now() - t0) / 1000;
    const l = server.details.loadgen;
    const outsideQps = (l.queries - 1) / outside;
    // completed_qps is (queries - 1) over the measured window, so the window is recovered from it
    const windowMs = l.completed_qps > 0 ? ((l.queries - 1) / l.completed_qps) * 1000 : 0;
    return {
      model: m.key, layout, closedLoopInfPerSec: closed.inf_rate, singleStreamP90Ms: p90, boundMs, boundWhy,
      peaks,
      wallClock: { target_qps: rate, completed_qps: l.completed_qps, outsideQps, differencePct: ((l.completed_qps - outsideQps) / outsideQps) * 100, runMs: outside * 1000, fixedMs: outside * 1000 - windowMs },
      loadBefore, loadAfter: loadavg()[0]!,
    };
  } finally {
    await session.close();
  }
}

/**
 * The machine's own floor: the arrival clock waking the main thread at 200 Poisson arrivals/s for 3 s with no
 * inference at all. Lateness here is the OS scheduling the threads late (other load), not the issuing code.
 */
async function clockOnlyLateness(): Promise<{ p50_ms: number; p99_ms: number; max_ms: number; load: number }> {
  const offsets = poissonSchedule({ targetQps: 200, minDurationMs: 3000, minQueryCount: 100, maxDurationMs: 0, maxQueryCount: 0, seed: 1 });
  const late: number[] = [];
  let absolute = new Float64Array(0);
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const clock = new ArrivalClock(offsets.length, (j) => {
    const t = nowNs();
    while (late.length <= j) late.push(t - absolute[late.length]!);
    if (late.length === offsets.length) done();
  });
  await clock.ready();
  const start = nowNs() + 2e6;
  absolute = offsets.map((o) => o + start);
  clock.start(absolute);
  await finished;
  await clock.stop();
  const l = loadgenLatency(late);
  return { p50_ms: l.p50 / 1e6, p99_ms: l.p99 / 1e6, max_ms: l.max / 1e6, load: loadavg()[0]! };
}

/** Run the LoadGen evidence on det and cls; prints and saves JSON. */
export async function runLoadgenPeak(): Promise<{ machine: Record<string, unknown>; quick: boolean; clockOnly: unknown[]; models: LoadgenEvidence[] }> {
  const models: LoadgenEvidence[] = [];
  const clockOnly = [await clockOnlyLateness()];
  console.log(`arrival clock alone (no inference): lateness ${JSON.stringify(clockOnly[0])}`);
  for (const m of [...MODELS].reverse()) {
    const e = await evidence(m);
    console.log(`${e.model}: layout ${JSON.stringify(e.layout)}; closed loop ${e.closedLoopInfPerSec.toFixed(1)} inf/s (concurrency result); FindPeak at p99 <= ${e.boundMs} ms: ${e.peaks.map((p) => `${p.peakQps.toFixed(2)} qps (ratio ${p.ratio.toFixed(3)}) with lateness bound ${p.max_schedule_lateness} ms`).join(', ')}; wall clock: completed ${e.wallClock.completed_qps.toFixed(2)} vs outside ${e.wallClock.outsideQps.toFixed(2)} qps (${e.wallClock.differencePct.toFixed(2)} %; ${e.wallClock.fixedMs.toFixed(0)} ms of the ${e.wallClock.runMs.toFixed(0)} ms outside the measured window); load ${e.loadBefore.toFixed(1)} -> ${e.loadAfter.toFixed(1)}`);
    models.push(e);
  }
  clockOnly.push(await clockOnlyLateness());
  console.log(`arrival clock alone (no inference), at the end: lateness ${JSON.stringify(clockOnly[1])}`);
  const result = { machine: machine(), quick: QUICK, clockOnly, models };
  console.log(`saved ${saveResult('loadgen-peak', result)}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await runLoadgenPeak();

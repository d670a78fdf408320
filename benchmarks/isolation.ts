/**
 * The per-run cost of `isolation: 'process'` against thread activations (issue 12), on det (1x3x256x384) and cls
 * (1x3x48x192), side by side: one session of each kind per model, one `run()` each per round in rotated order
 * (interleaved), fresh input copies made before the timer.
 *
 * Overhead = the caller's round trip minus the onnxruntime run measured inside the activation (the RunTrace's
 * worker timestamps; `process.hrtime` is CLOCK_MONOTONIC, shared by every process on the machine). The process
 * path adds one copy of the inputs and outputs through the IPC pipe each way ('advanced' serialization) and a relay
 * through the child's main thread. The rule: shared memory only if that copy costs more than a tenth of the
 * run; `extraOverRun` is that fraction (process overhead minus thread overhead, over the run's median).
 *
 * Run: `node dist/benchmarks/isolation.js [--quick]`; saves `benchmarks/results/isolation.json`.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { nowNs } from '../lib/runtime/clock.js';
import type { RunTrace } from '../lib/runtime/trace.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';

/** What one model measured, in microseconds. */
export interface IsolationResult {
  model: string;
  shape: number[];
  rounds: number;
  /**
   * per mode: the round trip, the onnxruntime run, their difference, and the two crossings it is made of: `in`
   * (posted by the caller to received by the worker thread) and `out` (outputs posted to the caller has them)
   */
  us: Record<'thread' | 'process', { roundTrip: Spread; run: Spread; overhead: Spread; in: Spread; out: Spread }>;
  /** median process overhead minus median thread overhead, microseconds */
  extraUs: number;
  /** {@link extraUs} over the median onnxruntime run (thread): the "more than a tenth" test */
  extraOverRun: number;
}

async function one(m: BenchModel, rounds: number, warmup: number): Promise<IsolationResult> {
  const template = lcgFloat32(elements(m.shape));
  const kinds = ['thread', 'process'] as const;
  const sessions = Object.fromEntries(kinds.map((k) => [k, new Session(m.file, { isolation: k, num_activations: 1, aic_num_cores: 1, set_size: 1 })])) as Record<(typeof kinds)[number], Session>;
  const last: Partial<Record<(typeof kinds)[number], RunTrace>> = {};
  for (const k of kinds) {
    sessions[k].observe({ onRun: (t) => { last[k] = t; } });
    await sessions[k].setup();
  }
  const samples = Object.fromEntries(kinds.map((k) => [k, { roundTrip: [] as number[], run: [] as number[], overhead: [] as number[], in: [] as number[], out: [] as number[] }])) as Record<(typeof kinds)[number], Record<'roundTrip' | 'run' | 'overhead' | 'in' | 'out', number[]>>;
  for (let i = 0; i < warmup + rounds; i++) {
    for (const k of rotate(kinds, i)) {
      const data = template.slice();
      const t0 = nowNs();
      await sessions[k].run({ [m.input]: { data, shape: m.shape } });
      const t1 = nowNs();
      if (i < warmup) continue;
      const trace = last[k]!;
      const run = trace.worker.runEnd - trace.worker.runStart;
      samples[k].roundTrip.push((t1 - t0) / 1e3);
      samples[k].run.push(run / 1e3);
      samples[k].overhead.push((t1 - t0 - run) / 1e3);
      samples[k].in.push((trace.worker.received - trace.sentNs) / 1e3);
      samples[k].out.push((trace.receivedNs - trace.worker.posted) / 1e3);
    }
  }
  for (const k of kinds) await sessions[k].close();
  const us = Object.fromEntries(kinds.map((k) => [k, Object.fromEntries(Object.entries(samples[k]).map(([n, v]) => [n, spread(v)]))])) as IsolationResult['us'];
  const extraUs = us.process.overhead.median - us.thread.overhead.median;
  return { model: m.key, shape: m.shape, rounds, us, extraUs: Math.round(extraUs), extraOverRun: ratio(extraUs, us.thread.run.median) };
}

/** Measure det and cls. */
export async function benchIsolation(quick = QUICK): Promise<IsolationResult[]> {
  const results: IsolationResult[] = [];
  for (const m of MODELS) {
    const rounds = m.key === 'det' ? (quick ? 40 : 150) : (quick ? 200 : 600);
    results.push(await one(m, rounds, quick ? 5 : 20));
    await pause();
  }
  return results;
}

/** One line per model: medians (p10-p90) of each mode's overhead and run. */
export function printIsolation(results: readonly IsolationResult[]): void {
  const f = (s: Spread): string => `${Math.round(s.median)} us (p10 ${Math.round(s.p10)}, p90 ${Math.round(s.p90)})`;
  for (const r of results) {
    console.log(`${r.model} ${r.shape.join('x')}: run ${f(r.us.thread.run)} | overhead thread ${f(r.us.thread.overhead)}, process ${f(r.us.process.overhead)} | extra ${r.extraUs} us = ${(r.extraOverRun * 100).toFixed(1)} % of the run`);
    for (const k of ['thread', 'process'] as const) console.log(`  ${k}: in ${f(r.us[k].in)}, out ${f(r.us[k].out)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const before = loadavg();
  const results = await benchIsolation();
  printIsolation(results);
  const file = saveResult('isolation', { machine: machine(), quick: QUICK, loadavgBefore: before, loadavgAfter: loadavg(), results });
  console.log(`saved ${file}`);
}

/**
 * Benchmark: how much the caller's event loop suffers while inference runs (issue 2).
 *
 * In one process, phases in interleaved repetitions (rotated order), each wrapped in
 * `perf_hooks.monitorEventLoopDelay({ resolution: 1 })`:
 * - `idle`: the loop does nothing for as long as a Session phase takes (the baseline: the histogram records the
 *   1 ms timer interval, so idle p50 is about 1.1 ms, not 0);
 * - `session`: N sequential det inferences (1x3x256x384) through `Session.run()` (one activation, 1 core);
 * - `plain`: the same N through plain onnxruntime-node on the main thread (intraOpNumThreads 1);
 * - `worker`: the same N through a bare hand-written worker (one onnxruntime session, input transferred): the
 *   floor any worker design pays on this machine, so `session - worker` is what the Session itself adds.
 * Every inference gets a fresh copy of one fixed input, made inside the phase (a caller would make it too).
 *
 * Reported per phase: median over repetitions of p50 / p99 / max (ms), with min-max spread, and the main thread's
 * own busy time per inference (event-loop utilization), which other load on the machine disturbs far less. Target: the Session's
 * p99 at most 1 ms above idle p99 (medians). `--quick` (or QAIC_BENCH_QUICK=1): 50 inferences, 2 repetitions.
 * Prints a table and saves benchmarks/results/event-loop.json.
 */
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { Session } from '../lib/session.js';
import { MODELS, QUICK, elements, machine, pause, saveResult } from './lib/config.js';
import { lcgFloat32, rotate, spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';

type Phase = 'idle' | 'session' | 'plain' | 'worker';
const PHASES: readonly Phase[] = ['idle', 'session', 'worker', 'plain'];

/** One phase's event-loop delay, in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  /** histogram samples (timer ticks that fired) */
  samples: number;
  /** wall time of the phase */
  seconds: number;
  /**
   * main-thread busy time during the phase (`performance.eventLoopUtilization()` active time), in ms: what the
   * caller's thread itself spent, much less sensitive to other load on the machine than the delay percentiles
   */
  mainActiveMs: number;
}

/** Median and min-max over repetitions. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** What the script saves. */
export interface EventLoopResult {
  benchmark: 'event-loop';
  when: string;
  machine: Record<string, unknown>;
  loadAverage: number[];
  model: string;
  shape: number[];
  inferences: number;
  reps: number;
  raw: Record<Phase, LoopDelay[]>;
  summary: Record<Phase, { p50: Summary; p99: Summary; max: Summary; inferencesPerSecond?: Summary; mainThreadMsPerInference?: Summary }>;
  sessionP99OverIdleMs: number;
  /** what the Session adds over a bare worker: session p99 - worker p99 (medians) */
  sessionP99OverWorkerMs: number;
  target: string;
  met: boolean;
}

function summarise(values: number[]): Summary {
  const { median, min, max } = spread(values);
  return { median, min, max };
}

async function measure(body: () => Promise<void>): Promise<LoopDelay> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  const elu0 = perf.eventLoopUtilization();
  h.enable();
  await body();
  h.disable();
  const elu = perf.eventLoopUtilization(elu0);
  const seconds = (performance.now() - t0) / 1e3;
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, samples: h.count, seconds, mainActiveMs: elu.active };
}

/** Run the benchmark; returns what it saves. */
export async function benchEventLoop(quick: boolean): Promise<EventLoopResult> {
  const det = MODELS.find((m) => m.key === 'det')!;
  const n = quick ? 50 : 200;
  const reps = quick ? 2 : 3;
  const template = lcgFloat32(elements(det.shape));

  const session = new Session(det.file, { num_activations: 1, aic_num_cores: 1 });
  await session.setup();
  const plain = await ort.InferenceSession.create(det.file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const worker = await PlainWorker.start({ mode: 'ort', model: det.file, input: det.input, shape: [...det.shape], intraOpNumThreads: 1 });
  // warm both (first inferences allocate arenas)
  for (let i = 0; i < 3; i++) {
    await session.run({ [det.input]: { data: template.slice(), shape: det.shape } });
    await plain.run({ [det.input]: new ort.Tensor('float32', template.slice(), det.shape) });
    await worker.run(template.slice());
  }

  let idleSeconds = 3;
  const phases: Record<Exclude<Phase, 'worker'>, () => Promise<void>> & { worker?: () => Promise<void> } = {
    idle: () => new Promise((resolve) => setTimeout(resolve, idleSeconds * 1e3)),
    session: async () => {
      for (let i = 0; i < n; i++) await session.run({ [det.input]: { data: template.slice(), shape: det.shape } });
    },
    plain: async () => {
      for (let i = 0; i < n; i++) await plain.run({ [det.input]: new ort.Tensor('float32', template.slice(), det.shape) });
    },
  };
  phases.worker = async () => {
    for (let i = 0; i < n; i++) await worker.run(template.slice());
  };
  const raw: Record<Phase, LoopDelay[]> = { idle: [], session: [], plain: [], worker: [] };
  for (let rep = 0; rep < reps; rep++) {
    for (const phase of rotate(PHASES, rep)) {
      await pause(200);
      const r = await measure(phases[phase]!);
      raw[phase].push(r);
      // the idle baseline lasts as long as a Session phase, so both see as many timer ticks
      if (phase === 'session') idleSeconds = r.seconds;
      console.error(`rep ${rep + 1}/${reps} ${phase.padEnd(7)} p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  max ${r.max.toFixed(2)} ms  (${r.seconds.toFixed(1)} s)`);
    }
  }
  await session.close();
  await plain.release();
  await worker.stop();

  const of = (phase: Phase, key: 'p50' | 'p99' | 'max'): Summary => summarise(raw[phase].map((r) => r[key]));
  const summary = {} as EventLoopResult['summary'];
  for (const phase of PHASES) {
    summary[phase] = { p50: of(phase, 'p50'), p99: of(phase, 'p99'), max: of(phase, 'max') };
    if (phase !== 'idle') {
      summary[phase].inferencesPerSecond = summarise(raw[phase].map((r) => n / r.seconds));
      summary[phase].mainThreadMsPerInference = summarise(raw[phase].map((r) => r.mainActiveMs / n));
    }
  }
  const over = summary.session.p99.median - summary.idle.p99.median;
  return {
    benchmark: 'event-loop',
    when: new Date().toISOString(),
    machine: machine(),
    loadAverage: loadavg(),
    model: det.key,
    shape: [...det.shape],
    inferences: n,
    reps,
    raw,
    summary,
    sessionP99OverIdleMs: over,
    sessionP99OverWorkerMs: summary.session.p99.median - summary.worker.p99.median,
    target: 'Session p99 <= idle p99 + 1 ms',
    met: over <= 1,
  };
}

/** Print the result as a table. */
export function printEventLoop(r: EventLoopResult): void {
  const f = (s: Summary): string => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
  const rows = [['phase', 'p50 ms', 'p99 ms', 'max ms', 'inferences/s', 'main-thread ms/inference']];
  for (const phase of PHASES) {
    const s = r.summary[phase];
    const g = (x: Summary | undefined): string => (x === undefined ? '' : f(x));
    rows.push([phase, f(s.p50), f(s.p99), f(s.max), g(s.inferencesPerSecond), g(s.mainThreadMsPerInference)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log(`\nEvent-loop delay, ${r.inferences} det inferences ${r.shape.join('x')} per phase, ${r.reps} interleaved reps, median (min-max)`);
  rows.forEach((row, j) => {
    console.log('| ' + row.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |');
    if (j === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  });
  console.log(`Session p99 over idle p99: ${r.sessionP99OverIdleMs.toFixed(2)} ms (target ${r.target}): ${r.met ? 'met' : 'NOT met'}`);
  console.log(`Session p99 over a bare worker's p99: ${r.sessionP99OverWorkerMs.toFixed(2)} ms; load average at the end ${r.loadAverage.map((l) => l.toFixed(2)).join(' ')} on ${String(r.machine['cores'])} cores`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchEventLoop(QUICK);
  printEventLoop(result);
  console.log(`saved ${saveResult('event-loop', result)}`);
}

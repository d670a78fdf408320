/**
 * Benchmark 2: throughput of the Session, on each engine, against the best hand-written plain onnxruntime-node
 * setup, on all cores, in the same run, interleaved (variant order rotated every repetition).
 *
 * Variants (all fed fresh input copies, closed loop):
 * - `ort-main`: one plain session on the main thread with intraOpNumThreads = cores, one request at a time;
 * - `ort-workers`: one plain session per core in worker threads (intraOp 1), one request in flight each
 *   (the best layout measured on 2 cores with onnxruntime-node 1.30: det 1x3x256x384 at 99 inf/s, against 83 inf/s
 *   for one session with intraOpNumThreads 2, on the main thread or in a worker);
 * - `<engine>-run`, for `engine: 'native'` and `engine: 'worker'` (issue 13): `Session.run()` with the settings
 *   `configure()` picks for that engine (configured per engine, since their dispatch costs differ),
 *   num_activations x set_size requests in flight;
 * - `<engine>-benchmark`: `Session.runBenchmark({infTime})` on the same session (the loop runs inside the
 *   activations, like the SDK's benchmark API, so per-request dispatch is not in it).
 * Each engine is asked for explicitly, and the engine that ran (`session.engine`) is checked and saved: a native
 * engine that does not load (or falls back to workers) fails the script instead of measuring the wrong thing.
 * Ratios are each variant's median rate over the best plain variant's median, with the min-max of the per-repetition
 * ratios (same repetition, so load from elsewhere hits both sides alike).
 * Target (issues 6 and 13): the native engine >= 1.0x the best plain variant, through run() and runBenchmark().
 * `--quick` (or QAIC_BENCH_QUICK=1): 3 x 2 s per variant. Saves benchmarks/results/throughput.json.
 */
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Session } from '../lib/session.js';
import { machineCores } from '../lib/options.js';
import { loadNativeEngine } from '../lib/runtime/native-addon.js';
import type { Engine } from '../lib/runtime/engine.js';
import { configure, formatConfigureTable, type ConfigureResult } from '../lib/tuning/configure.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';

/** The engines measured, each asked for explicitly. */
export const ENGINES_MEASURED: readonly Engine[] = ['native', 'worker'];

/** One engine's setup and figures against the best plain variant. */
export interface EngineThroughput {
  /** the engine asked for */
  engine: Engine;
  /** the engine that ran (`session.engine` after setup); the script fails when it differs from `engine` */
  ran: Engine | undefined;
  configured: ConfigureResult['best'];
  configureTable: string[];
  /** `<engine>-run` median over the best plain variant's median, and the min-max of the per-repetition ratios */
  runOverBest: { ratio: number; min: number; max: number };
  /** the same for `<engine>-benchmark` */
  benchmarkOverBest: { ratio: number; min: number; max: number };
  /** both ratios >= 1.0 */
  met: boolean;
}

/** Throughput figures of one model. */
export interface ThroughputResult {
  model: string;
  shape: number[];
  cores: number;
  seconds: number;
  reps: number;
  /** the variants in the order of the first repetition (later ones rotate it) */
  variants: string[];
  /** inferences per second, one value per repetition, and their spread */
  infPerSec: Record<string, { reps: number[]; spread: Spread; latencyMs?: Spread }>;
  bestPlain: string;
  engines: Record<Engine, EngineThroughput>;
  target: string;
  /** the native engine met the target through both run() and runBenchmark() */
  met: boolean;
}

type Variant = (seconds: number) => Promise<{ rate: number; latencies: number[] }>;

async function closedLoop(clients: number, seconds: number, call: (client: number) => Promise<void>): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let last = start;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await call(c);
      last = performance.now();
      latencies.push(last - t0);
    }
  }));
  return { rate: latencies.length / ((last - start) / 1000), latencies };
}

/** Fail loudly, before anything is measured, when the native engine cannot run here. */
export function requireNativeEngine(): void {
  const loaded = loadNativeEngine();
  if ('reason' in loaded) throw new Error(`the native engine does not load, so its figures cannot be measured: ${loaded.reason}`);
}

async function one(m: BenchModel, cores: number, seconds: number, reps: number, configureSeconds: number, configureRounds: number): Promise<ThroughputResult> {
  const template = lcgFloat32(elements(m.shape));
  const tuned = {} as Record<Engine, ConfigureResult>;
  for (const engine of ENGINES_MEASURED) {
    tuned[engine] = await configure(m.file, { goal: 'throughput', seconds: configureSeconds, rounds: configureRounds, warmup: 2, setSizes: [1, 2], inputShapes: { [m.input]: m.shape }, sessionOptions: { engine } });
  }

  const main = await ort.InferenceSession.create(m.file, { intraOpNumThreads: cores, interOpNumThreads: 1, executionMode: 'sequential' });
  const workers = await Promise.all(Array.from({ length: cores }, () => PlainWorker.start({ mode: 'ort', model: m.file, input: m.input, shape: m.shape, intraOpNumThreads: 1 })));
  const sessions = {} as Record<Engine, Session>;
  for (const engine of ENGINES_MEASURED) {
    const best = tuned[engine].best;
    const session = new Session(m.file, { engine, num_activations: best.num_activations, aic_num_cores: best.aic_num_cores, set_size: best.set_size });
    await session.setup();
    if (session.engine !== engine) throw new Error(`${m.key}: asked for engine '${engine}', but the session runs on '${String(session.engine)}' (see the QAIC_ENGINE_FALLBACK warning); refusing to report it as ${engine}`);
    sessions[engine] = session;
  }

  const variants: Record<string, Variant> = {
    'ort-main': (s) => closedLoop(1, s, async () => {
      await main.run({ [m.input]: new ort.Tensor('float32', template.slice(), m.shape) });
    }),
    'ort-workers': (s) => closedLoop(cores, s, async (c) => {
      await workers[c]!.run(template.slice());
    }),
  };
  for (const engine of ENGINES_MEASURED) {
    const best = tuned[engine].best;
    const session = sessions[engine];
    variants[`${engine}-run`] = (s) => closedLoop(best.num_activations * best.set_size, s, async () => {
      await session.run({ [m.input]: { data: template.slice(), shape: m.shape } });
    });
    variants[`${engine}-benchmark`] = async (s) => {
      // its warnings (short, unstable on a loaded machine) are about the latencies, which this benchmark does not use
      const r = await session.runBenchmark({ infTime: s, inputs: { [m.input]: { data: template.slice(), shape: m.shape } }, emitWarnings: false });
      return { rate: r.inf_rate, latencies: [] };
    };
  }
  const names = Object.keys(variants);
  // warm every variant once, untimed
  for (const name of names) await variants[name]!(Math.min(0.5, seconds));
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const lat: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const name of rotate(names, rep)) {
      const r = await variants[name]!(seconds);
      rates[name]!.push(r.rate);
      lat[name]!.push(...r.latencies);
      await pause(200);
    }
  }
  const ran = {} as Record<Engine, Engine | undefined>;
  for (const engine of ENGINES_MEASURED) {
    ran[engine] = sessions[engine].engine;
    await sessions[engine].close();
  }
  await Promise.all(workers.map((w) => w.stop()));
  await main.release();

  const infPerSec: ThroughputResult['infPerSec'] = {};
  for (const name of names) {
    infPerSec[name] = { reps: rates[name]!.map((r) => Math.round(r * 10) / 10), spread: spread(rates[name]!) };
    if (lat[name]!.length > 0) infPerSec[name]!.latencyMs = spread(lat[name]!);
  }
  const bestPlain = infPerSec['ort-main']!.spread.median >= infPerSec['ort-workers']!.spread.median ? 'ort-main' : 'ort-workers';
  const over = (name: string): EngineThroughput['runOverBest'] => {
    const perRep = spread(rates[name]!.map((r, i) => r / rates[bestPlain]![i]!));
    return { ratio: ratio(infPerSec[name]!.spread.median, infPerSec[bestPlain]!.spread.median), min: ratio(perRep.min, 1), max: ratio(perRep.max, 1) };
  };
  const engines = {} as Record<Engine, EngineThroughput>;
  for (const engine of ENGINES_MEASURED) {
    const runOverBest = over(`${engine}-run`);
    const benchmarkOverBest = over(`${engine}-benchmark`);
    engines[engine] = {
      engine, ran: ran[engine], configured: tuned[engine].best, configureTable: formatConfigureTable(tuned[engine]),
      runOverBest, benchmarkOverBest, met: runOverBest.ratio >= 1.0 && benchmarkOverBest.ratio >= 1.0,
    };
  }
  return {
    model: m.key, shape: m.shape, cores, seconds, reps, variants: names, infPerSec, bestPlain, engines,
    target: "engine 'native' >= 1.0x the best plain onnxruntime-node layout, through run() (closed loop, configured settings) and through runBenchmark() (issue 13)",
    met: engines.native.met,
  };
}

/** Run benchmark 2 on det and cls. */
export async function benchThroughput(quick = QUICK): Promise<ThroughputResult[]> {
  requireNativeEngine();
  const results: ThroughputResult[] = [];
  for (const m of MODELS) {
    results.push(await one(m, machineCores(), quick ? 2 : 8, quick ? 3 : 5, quick ? 0.5 : 1.5, quick ? 2 : 3));
    await pause();
  }
  return results;
}

/** Print the per-model figures. */
export function printThroughput(results: readonly ThroughputResult[]): void {
  for (const r of results) {
    console.log(`throughput ${r.model} ${r.shape.join('x')} (${r.cores} cores, ${r.reps} x ${r.seconds} s, interleaved):`);
    for (const e of Object.values(r.engines)) console.log(`  engine '${e.engine}' (session.engine: '${String(e.ran)}') configured ${JSON.stringify(e.configured)}`);
    for (const [name, v] of Object.entries(r.infPerSec)) {
      const l = v.latencyMs === undefined ? '' : `, latency p50 ${v.latencyMs.median.toFixed(2)} ms p99 ${v.latencyMs.p99.toFixed(2)} ms`;
      console.log(`  ${name.padEnd(17)} ${v.spread.median.toFixed(1)} inf/s (min ${v.spread.min.toFixed(1)} - max ${v.spread.max.toFixed(1)})${l}`);
    }
    const f = (x: EngineThroughput['runOverBest']): string => `${x.ratio}x (per rep ${x.min}-${x.max})`;
    for (const e of Object.values(r.engines)) {
      console.log(`  ${e.engine}: run / ${r.bestPlain} = ${f(e.runOverBest)}, benchmark / ${r.bestPlain} = ${f(e.benchmarkOverBest)}${e.engine === 'native' ? ` (target >= 1.0 on both: ${e.met ? 'met' : 'MISSED'})` : ''}`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const results = await benchThroughput();
  printThroughput(results);
  console.log(saveResult('throughput', { machine: machine(), quick: QUICK, date: new Date().toISOString(), results }));
}

/**
 * Benchmark 2: throughput of the auto-configured session against the best hand-written plain onnxruntime-node
 * setup, on all cores, in the same run, interleaved (variant order rotated every repetition).
 *
 * Variants (all fed fresh input copies, transferred, closed loop):
 * - `ort-main`: one plain session on the main thread with intraOpNumThreads = cores, one request at a time;
 * - `ort-workers`: one plain session per core in worker threads (intraOp 1), one request in flight each
 *   (the best layout measured on 2 cores with onnxruntime-node 1.30: det 1x3x256x384 at 99 inf/s, against 83 inf/s
 *   for one session with intraOpNumThreads 2, on the main thread or in a worker);
 * - `qaic-run`: `Session.run()` with the configurator's settings, num_activations x set_size requests in flight;
 * - `qaic-benchmark`: `Session.runBenchmark({infTime})` with the same settings (the loop runs inside the
 *   activations, like the SDK's benchmark API, so per-request dispatch is not in it).
 * Target (issue 6): qaic >= 1.0x the best plain variant.
 */
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Session } from '../lib/session.js';
import { machineCores } from '../lib/options.js';
import { configure, formatConfigureTable, type ConfigureResult } from '../lib/tuning/configure.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';

/** Throughput figures of one model. */
export interface ThroughputResult {
  model: string;
  shape: number[];
  cores: number;
  seconds: number;
  reps: number;
  configured: ConfigureResult['best'];
  configureTable: string[];
  /** inferences per second, one value per repetition, and their spread */
  infPerSec: Record<string, { reps: number[]; spread: Spread; latencyMs?: Spread }>;
  bestPlain: string;
  qaicRunOverBest: number;
  qaicBenchmarkOverBest: number;
  target: string;
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

async function one(m: BenchModel, cores: number, seconds: number, reps: number, configureSeconds: number, configureRounds: number): Promise<ThroughputResult> {
  const template = lcgFloat32(elements(m.shape));
  const tuned = await configure(m.file, { goal: 'throughput', seconds: configureSeconds, rounds: configureRounds, warmup: 2, setSizes: [1, 2], inputShapes: { [m.input]: m.shape } });
  const best = tuned.best;

  const main = await ort.InferenceSession.create(m.file, { intraOpNumThreads: cores, interOpNumThreads: 1, executionMode: 'sequential' });
  const workers = await Promise.all(Array.from({ length: cores }, () => PlainWorker.start({ mode: 'ort', model: m.file, input: m.input, shape: m.shape, intraOpNumThreads: 1 })));
  const session = new Session(m.file, { num_activations: best.num_activations, aic_num_cores: best.aic_num_cores, set_size: best.set_size });
  await session.setup();

  const variants: Record<string, Variant> = {
    'ort-main': (s) => closedLoop(1, s, async () => {
      await main.run({ [m.input]: new ort.Tensor('float32', template.slice(), m.shape) });
    }),
    'ort-workers': (s) => closedLoop(cores, s, async (c) => {
      await workers[c]!.run(template.slice());
    }),
    'qaic-run': (s) => closedLoop(best.num_activations * best.set_size, s, async () => {
      await session.run({ [m.input]: { data: template.slice(), shape: m.shape } });
    }),
    'qaic-benchmark': async (s) => {
      const r = await session.runBenchmark({ infTime: s, inputs: { [m.input]: { data: template.slice(), shape: m.shape } } });
      return { rate: r.inf_rate, latencies: [] };
    },
  };
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
  await session.close();
  await Promise.all(workers.map((w) => w.stop()));
  await main.release();

  const infPerSec: ThroughputResult['infPerSec'] = {};
  for (const name of names) {
    infPerSec[name] = { reps: rates[name]!.map((r) => Math.round(r * 10) / 10), spread: spread(rates[name]!) };
    if (lat[name]!.length > 0) infPerSec[name]!.latencyMs = spread(lat[name]!);
  }
  const bestPlain = infPerSec['ort-main']!.spread.median >= infPerSec['ort-workers']!.spread.median ? 'ort-main' : 'ort-workers';
  const bestRate = infPerSec[bestPlain]!.spread.median;
  const qaicRunOverBest = ratio(infPerSec['qaic-run']!.spread.median, bestRate);
  const qaicBenchmarkOverBest = ratio(infPerSec['qaic-benchmark']!.spread.median, bestRate);
  return {
    model: m.key, shape: m.shape, cores, seconds, reps,
    configured: best, configureTable: formatConfigureTable(tuned),
    infPerSec, bestPlain, qaicRunOverBest, qaicBenchmarkOverBest,
    target: 'qaic (run() closed loop with the configured settings) >= 1.0x the best plain onnxruntime-node layout',
    met: qaicRunOverBest >= 1.0,
  };
}

/** Run benchmark 2 on det and cls. */
export async function benchThroughput(quick = QUICK): Promise<ThroughputResult[]> {
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
    console.log(`throughput ${r.model} (${r.cores} cores, ${r.reps} x ${r.seconds} s; configured ${JSON.stringify(r.configured)}):`);
    for (const [name, v] of Object.entries(r.infPerSec)) {
      const l = v.latencyMs === undefined ? '' : `, latency p50 ${v.latencyMs.median.toFixed(2)} ms p99 ${v.latencyMs.p99.toFixed(2)} ms`;
      console.log(`  ${name.padEnd(15)} ${v.spread.median.toFixed(1)} inf/s (min ${v.spread.min.toFixed(1)} - max ${v.spread.max.toFixed(1)})${l}`);
    }
    console.log(`  qaic-run / ${r.bestPlain} = ${r.qaicRunOverBest}x, qaic-benchmark / ${r.bestPlain} = ${r.qaicBenchmarkOverBest}x (target >= 1.0: ${r.met ? 'met' : 'MISSED'})`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const results = await benchThroughput();
  printThroughput(results);
  console.log(saveResult('throughput', { machine: machine(), quick: QUICK, date: new Date().toISOString(), results }));
}

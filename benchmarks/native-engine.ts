/**
 * The native engine against the worker engine (issue 13), side by side in one run:
 *
 * - dispatch: the caller's round trip minus the onnxruntime run timed inside the activation (the RunTrace's times,
 *   CLOCK_MONOTONIC on both sides) for `Session.run()` on `engine: 'native'`, on `engine: 'worker'`, and for a
 *   hand-written worker with its own onnxruntime-node session (buffers transferred both ways); det and cls, one call
 *   of each per round in rotated order (interleaved), fresh input copies made before the timer; medians with p10-p90.
 * - input copy: what a copy of the inputs at `run()` costs (`copy_inputs`, or the addon's copying mode): a fresh
 *   buffer and one memcpy-like copy, for det's 1.2 MB and cls's 0.1 MB.
 * - memory: RSS per extra activation, (k=4 minus k=1)/3, each configuration in a fresh child process: a Session on
 *   the det program (weights mapped) with the native engine and with the worker engine, and plain onnxruntime-node
 *   (a default session of the raw model in its own worker thread); after setup ("created") and after one run on
 *   each activation ("in use").
 * - cancel: on a model that never finishes, the time from `abort()` of the run in flight to its activation being
 *   free again (in flight 0), and to the next short run's answer; native engine (the worker engine cannot free it).
 *
 * Run: `node dist/benchmarks/native-engine.js [--quick]`; saves `benchmarks/results/native-engine.json`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Session } from '../lib/session.js';
import { compile } from '../lib/compiler/compile.js';
import { nowNs } from '../lib/runtime/clock.js';
import type { RunTrace } from '../lib/runtime/trace.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';
import type { MemoryWorkerData } from './lib/memory-worker.js';
import { loopModel, ENDLESS_TRIPS } from '../test/fixtures/fault-models.js';

const SYMBOLS: Record<string, Record<string, number>> = {
  det: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 },
  cls: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 },
};

/** Dispatch figures of one model, microseconds. */
interface DispatchResult {
  model: string;
  shape: number[];
  rounds: number;
  overheadUs: { native: Spread; worker: Spread; plain: Spread };
  roundTripUs: { native: Spread; worker: Spread; plain: Spread };
  runUs: { native: Spread; worker: Spread; plain: Spread };
  /** native overhead median over the hand-written worker's (issue 13's target: <= 0.7) */
  nativeOverPlain: number;
  nativeOverWorker: number;
}

async function dispatchOne(m: BenchModel, rounds: number, warmup: number): Promise<DispatchResult> {
  const template = lcgFloat32(elements(m.shape));
  const engines = ['native', 'worker'] as const;
  const sessions = Object.fromEntries(engines.map((e) => [e, new Session(m.file, { engine: e, num_activations: 1, aic_num_cores: 1, set_size: 1, onnx_define_symbol: SYMBOLS[m.key] })])) as Record<(typeof engines)[number], Session>;
  const last: Partial<Record<(typeof engines)[number], RunTrace>> = {};
  for (const e of engines) {
    sessions[e].observe({ onRun: (t) => { last[e] = t; } });
    await sessions[e].setup();
    if (sessions[e].engine !== e) throw new Error(`the ${e} engine did not start (session.engine is ${sessions[e].engine})`);
  }
  const plain = await PlainWorker.start({ mode: 'ort', model: m.file, input: m.input, shape: m.shape, intraOpNumThreads: 1 });
  const names = ['native', 'worker', 'plain'] as const;
  const samples = Object.fromEntries(names.map((n) => [n, { overhead: [] as number[], roundTrip: [] as number[], run: [] as number[] }])) as Record<(typeof names)[number], { overhead: number[]; roundTrip: number[]; run: number[] }>;
  for (let i = 0; i < warmup + rounds; i++) {
    for (const name of rotate(names, i)) {
      const data = template.slice();
      let t0: number, t1: number, run: number;
      if (name === 'plain') {
        t0 = nowNs();
        const r = await plain.run(data);
        t1 = nowNs();
        run = r.runEndNs - r.runStartNs;
      } else {
        t0 = nowNs();
        await sessions[name].run({ [m.input]: { data, shape: m.shape } });
        t1 = nowNs();
        run = last[name]!.worker.runEnd - last[name]!.worker.runStart;
      }
      if (i < warmup) continue;
      samples[name].overhead.push((t1 - t0 - run) / 1e3);
      samples[name].roundTrip.push((t1 - t0) / 1e3);
      samples[name].run.push(run / 1e3);
    }
  }
  for (const e of engines) await sessions[e].close();
  await plain.stop();
  const pick = (k: 'overhead' | 'roundTrip' | 'run') => ({ native: spread(samples.native[k]), worker: spread(samples.worker[k]), plain: spread(samples.plain[k]) });
  const overheadUs = pick('overhead');
  return {
    model: m.key, shape: m.shape, rounds, overheadUs, roundTripUs: pick('roundTrip'), runUs: pick('run'),
    nativeOverPlain: ratio(overheadUs.native.median, overheadUs.plain.median),
    nativeOverWorker: ratio(overheadUs.native.median, overheadUs.worker.median),
  };
}

/** The copy the native engine makes of an input at run(): a fresh buffer (not zeroed) and one copy into it. */
function copyCost(m: BenchModel, reps: number): { model: string; bytes: number; us: Spread } {
  const src = Buffer.from(lcgFloat32(elements(m.shape)).buffer);
  const per = m.key === 'det' ? 100 : 1000;
  const us: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = nowNs();
    for (let i = 0; i < per; i++) {
      const dst = Buffer.allocUnsafeSlow(src.length);
      src.copy(dst);
      if (dst[7] !== src[7]) throw new Error('copy');
    }
    us.push((nowNs() - t0) / per / 1e3);
  }
  return { model: m.key, bytes: src.length, us: spread(us) };
}

interface Sample { rss: number }

function rssMiB(): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

/** In a fresh child: k activations of one configuration; prints {created, ran} RSS in MiB. */
async function rssChild(kind: string, k: number, programDir: string): Promise<void> {
  const det = MODELS.find((m) => m.key === 'det')!;
  const count = elements(det.shape);
  const input = () => new Float32Array(count).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  await settle();
  const base = rssMiB();
  if (kind === 'plain') {
    const workerFile = fileURLToPath(new URL('./lib/memory-worker.js', import.meta.url));
    const workers: Worker[] = [];
    const next = (w: Worker) => new Promise<{ stage: string; error?: string }>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
    for (let i = 0; i < k; i++) {
      const w = new Worker(workerFile, { workerData: { modelPath: det.file, input: { name: det.input, shape: det.shape } } satisfies MemoryWorkerData });
      workers.push(w);
      const reply = await next(w);
      if (reply.stage !== 'created') throw new Error(reply.error);
    }
    await settle();
    const created = rssMiB();
    for (const w of workers) {
      w.postMessage('run');
      const reply = await next(w);
      if (reply.stage !== 'ran') throw new Error(reply.error);
    }
    await settle();
    process.stdout.write(JSON.stringify({ base, created, ran: rssMiB() }));
    await Promise.all(workers.map((w) => w.terminate()));
    return;
  }
  const session = new Session(programDir, { engine: kind as 'native' | 'worker', num_activations: k, allow_oversubscription: true });
  await session.setup();
  if (session.engine !== kind) throw new Error(`engine ${kind} did not start`);
  await settle();
  const created = rssMiB();
  await Promise.all(Array.from({ length: k }, () => session.run({ [det.input]: { data: input(), shape: det.shape } })));
  await settle();
  process.stdout.write(JSON.stringify({ base, created, ran: rssMiB() }));
  await session.close();
}

interface MemoryResult {
  rounds: number;
  /** MiB per extra activation, (k=4 - k=1) / 3, median over rounds, per configuration */
  perExtraMiB: Record<string, { created: Spread; ran: Spread }>;
  /** native created over plain created, medians (issue 13's target: <= 0.15) */
  nativeOverPlainCreated: number;
  nativeOverWorkerCreated: number;
}

async function memory(rounds: number, programDir: string): Promise<MemoryResult> {
  const kinds = ['native', 'worker', 'plain'];
  const self = fileURLToPath(import.meta.url);
  const per: Record<string, { created: number[]; ran: number[] }> = Object.fromEntries(kinds.map((k) => [k, { created: [], ran: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const kind of rotate(kinds, r)) {
      const at = (k: number): { created: number; ran: number } => JSON.parse(execFileSync(process.execPath, [self, '--rss-child', kind, String(k), programDir], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } }));
      const one = at(1);
      const four = at(4);
      per[kind]!.created.push((four.created - one.created) / 3);
      per[kind]!.ran.push((four.ran - one.ran) / 3);
    }
  }
  const perExtraMiB = Object.fromEntries(kinds.map((k) => [k, { created: spread(per[k]!.created), ran: spread(per[k]!.ran) }]));
  return {
    rounds, perExtraMiB,
    nativeOverPlainCreated: ratio(perExtraMiB.native!.created.median, perExtraMiB.plain!.created.median),
    nativeOverWorkerCreated: ratio(perExtraMiB.native!.created.median, perExtraMiB.worker!.created.median),
  };
}

interface CancelResult {
  reps: number;
  /** abort() to the activation holding nothing in flight, ms */
  toFreeMs: Spread;
  /** abort() to the next short run's answer on the same activation, ms */
  toNextAnswerMs: Spread;
}

async function cancel(reps: number): Promise<CancelResult> {
  const session = new Session(loopModel(), { engine: 'native', compile: false, set_size: 1 });
  await session.setup();
  const pool = session._pool!;
  const toFree: number[] = [];
  const toNext: number[] = [];
  for (let i = 0; i < reps; i++) {
    const controller = new AbortController();
    const endless = session.run({ trips: BigInt64Array.of(ENDLESS_TRIPS), x: Float32Array.of(1) }, { signal: controller.signal }).catch(() => undefined);
    while (pool.inFlight === 0) await new Promise((r) => setImmediate(r));
    // let the run get well inside onnxruntime
    await new Promise((r) => setTimeout(r, 20));
    const t0 = nowNs();
    controller.abort();
    while (pool.inFlight !== 0) await new Promise((r) => setImmediate(r));
    const t1 = nowNs();
    await session.run({ trips: BigInt64Array.of(3n), x: Float32Array.of(1) });
    const t2 = nowNs();
    await endless;
    toFree.push((t1 - t0) / 1e6);
    toNext.push((t2 - t0) / 1e6);
  }
  await session.close();
  return { reps, toFreeMs: spread(toFree), toNextAnswerMs: spread(toNext) };
}

async function main(): Promise<void> {
  const before = loadavg();
  const dispatch: DispatchResult[] = [];
  for (const m of MODELS) {
    const rounds = m.key === 'det' ? (QUICK ? 40 : 150) : (QUICK ? 200 : 600);
    dispatch.push(await dispatchOne(m, rounds, QUICK ? 5 : 20));
    await pause();
  }
  const f = (s: Spread, d = 0): string => `${s.median.toFixed(d)} (p10 ${s.p10.toFixed(d)}, p90 ${s.p90.toFixed(d)})`;
  for (const r of dispatch) {
    console.log(`dispatch ${r.model} ${r.shape.join('x')}, us: native ${f(r.overheadUs.native)} | worker engine ${f(r.overheadUs.worker)} | hand-written worker ${f(r.overheadUs.plain)} | native/hand-written ${r.nativeOverPlain.toFixed(2)}x, native/worker ${r.nativeOverWorker.toFixed(2)}x`);
    console.log(`  round trip, us: native ${f(r.roundTripUs.native)} | worker ${f(r.roundTripUs.worker)} | hand-written ${f(r.roundTripUs.plain)}`);
  }
  const copies = MODELS.map((m) => copyCost(m, QUICK ? 5 : 15));
  for (const c of copies) console.log(`input copy ${c.model} (${(c.bytes / 1e6).toFixed(2)} MB): ${f(c.us, 1)} us`);
  const work = mkdtempSync(join(tmpdir(), 'qaic-bench-native-'));
  let mem: MemoryResult;
  try {
    const det = MODELS.find((m) => m.key === 'det')!;
    const program = await compile(det.file, { output_dir: join(work, 'det'), onnx_define_symbol: SYMBOLS.det });
    mem = await memory(QUICK ? 2 : 3, program.programDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const [k, v] of Object.entries(mem.perExtraMiB)) console.log(`RSS per extra activation, det, ${k}: created ${f(v.created, 1)} MiB, in use ${f(v.ran, 1)} MiB`);
  console.log(`  native/plain (created) ${mem.nativeOverPlainCreated.toFixed(2)}x, native/worker engine ${mem.nativeOverWorkerCreated.toFixed(2)}x`);
  const cancelled = await cancel(QUICK ? 10 : 30);
  console.log(`cancel on a never-ending run: abort to free ${f(cancelled.toFreeMs, 2)} ms, abort to the next answer ${f(cancelled.toNextAnswerMs, 2)} ms`);
  const file = saveResult('native-engine', { machine: machine(), quick: QUICK, loadavgBefore: before, loadavgAfter: loadavg(), dispatch, inputCopy: copies, memory: mem, cancel: cancelled });
  console.log(`saved ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--rss-child');
  if (at >= 0) await rssChild(process.argv[at + 1]!, Number(process.argv[at + 2]), process.argv[at + 3]!);
  else await main();
}

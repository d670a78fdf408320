/**
 * Benchmark 1: dispatch overhead of `Session.run()`.
 *
 * Dispatch = caller-side round trip minus the onnxruntime run measured inside the executing thread. Three
 * variants, one call each per round in rotated order (interleaved), fresh input copies made before the timer:
 * - `qaic`: `Session.run()` on one activation (the run time comes from the session's RunTrace via observe());
 * - `plain`: a hand-written worker with its own onnxruntime session, buffers transferred both ways;
 * - `echo`: a bare worker that sends the buffers back (the floor any worker design pays);
 * - `echoIdle`: the same echo after blocking the worker for as long as the last onnxruntime run took, minus that
 *   time: the floor when the caller's thread has gone idle meanwhile (as it has during a real inference), which
 *   costs a thread wake-up that the instant echo does not pay.
 * Target (issue 6): qaic median <= 1.3x the echo median.
 */
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { nowNs } from '../lib/runtime/clock.js';
import type { RunTrace } from '../lib/runtime/trace.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';

/** Dispatch figures of one model, in microseconds. */
export interface DispatchResult {
  model: string;
  shape: number[];
  rounds: number;
  us: { qaic: Spread; plain: Spread; echo: Spread; echoIdle: Spread; qaicRoundTrip: Spread; plainRoundTrip: Spread; qaicRun: Spread; plainRun: Spread };
  qaicOverEcho: number;
  qaicOverPlain: number;
  qaicOverEchoIdle: number;
  target: string;
  met: boolean;
  /** medians of qaic's stages (RunTrace), microseconds: where the dispatch time goes */
  qaicStagesUs: Record<string, number>;
  /** medians of the hand-written worker's way in (post to run start) and out (run end to reply handled), us */
  plainStagesUs: { in: number; out: number };
}

const STAGES: Record<string, (t: RunTrace) => number> = {
  validate: (t) => t.validatedNs - t.callNs,
  queue: (t) => t.takenNs - t.validatedNs,
  post: (t) => t.sentNs - t.takenNs,
  transferIn: (t) => t.worker.received - t.sentNs,
  makeTensors: (t) => t.worker.runStart - t.worker.received,
  packOutputs: (t) => t.worker.posted - t.worker.runEnd,
  transferOut: (t) => t.receivedNs - t.worker.posted,
  buildOutputs: (t) => t.doneNs - t.receivedNs,
};

async function one(m: BenchModel, rounds: number, warmup: number): Promise<DispatchResult> {
  const template = lcgFloat32(elements(m.shape));
  const session = new Session(m.file, { num_activations: 1, aic_num_cores: 1, set_size: 1 });
  let last: RunTrace | undefined;
  session.observe({ onRun: (t) => { last = t; } });
  await session.setup();
  const plain = await PlainWorker.start({ mode: 'ort', model: m.file, input: m.input, shape: m.shape, intraOpNumThreads: 1 });
  const echo = await PlainWorker.start({ mode: 'echo' });

  const stages: Record<string, number[]> = Object.fromEntries(Object.keys(STAGES).map((k) => [k, []]));
  const plainIn: number[] = [];
  const plainOut: number[] = [];
  const out = { qaic: [] as number[], plain: [] as number[], echo: [] as number[], echoIdle: [] as number[], qaicRoundTrip: [] as number[], plainRoundTrip: [] as number[], qaicRun: [] as number[], plainRun: [] as number[] };
  const variants: Record<string, (record: boolean) => Promise<void>> = {
    qaic: async (record) => {
      const data = template.slice();
      const t0 = nowNs();
      await session.run({ [m.input]: { data, shape: m.shape } });
      const t1 = nowNs();
      const run = last!.worker.runEnd - last!.worker.runStart;
      if (record) {
        out.qaicRoundTrip.push((t1 - t0) / 1e3); out.qaicRun.push(run / 1e3); out.qaic.push((t1 - t0 - run) / 1e3);
        for (const [k, f] of Object.entries(STAGES)) stages[k]!.push(f(last!) / 1e3);
      }
    },
    plain: async (record) => {
      const data = template.slice();
      const t0 = nowNs();
      const r = await plain.run(data);
      const t1 = nowNs();
      const run = r.runEndNs - r.runStartNs;
      if (record) {
        out.plainRoundTrip.push((t1 - t0) / 1e3); out.plainRun.push(run / 1e3); out.plain.push((t1 - t0 - run) / 1e3);
        plainIn.push((r.runStartNs - t0) / 1e3); plainOut.push((t1 - r.runEndNs) / 1e3);
      }
    },
    echoIdle: async (record) => {
      const data = template.slice();
      const delayMs = (out.plainRun.length > 0 ? out.plainRun[out.plainRun.length - 1]! : 0) / 1e3;
      const t0 = nowNs();
      const r = await echo.run(data, delayMs);
      const t1 = nowNs();
      if (record) out.echoIdle.push((t1 - t0 - (r.runEndNs - r.runStartNs)) / 1e3);
    },
    echo: async (record) => {
      const data = template.slice();
      const t0 = nowNs();
      await echo.run(data);
      const t1 = nowNs();
      if (record) out.echo.push((t1 - t0) / 1e3);
    },
  };
  const names = Object.keys(variants);
  for (let i = 0; i < warmup + rounds; i++) {
    for (const name of rotate(names, i)) await variants[name]!(i >= warmup);
  }
  await session.close();
  await plain.stop();
  await echo.stop();
  const us = {
    qaic: spread(out.qaic), plain: spread(out.plain), echo: spread(out.echo), echoIdle: spread(out.echoIdle),
    qaicRoundTrip: spread(out.qaicRoundTrip), plainRoundTrip: spread(out.plainRoundTrip),
    qaicRun: spread(out.qaicRun), plainRun: spread(out.plainRun),
  };
  const qaicOverEcho = ratio(us.qaic.median, us.echo.median);
  return {
    model: m.key, shape: m.shape, rounds, us,
    qaicOverEcho,
    qaicOverPlain: ratio(us.qaic.median, us.plain.median),
    qaicOverEchoIdle: ratio(us.qaic.median, us.echoIdle.median),
    target: 'qaic dispatch median <= 1.3x echo median',
    met: qaicOverEcho <= 1.3,
    qaicStagesUs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(spread(v).median * 10) / 10])),
    plainStagesUs: { in: Math.round(spread(plainIn).median * 10) / 10, out: Math.round(spread(plainOut).median * 10) / 10 },
  };
}

/** Run benchmark 1 on det and cls. */
export async function benchDispatch(quick = QUICK): Promise<DispatchResult[]> {
  const results: DispatchResult[] = [];
  for (const m of MODELS) {
    const rounds = m.key === 'det' ? (quick ? 60 : 200) : (quick ? 300 : 800);
    results.push(await one(m, rounds, quick ? 5 : 20));
    await pause();
  }
  return results;
}

/** Print one line per model. */
export function printDispatch(results: readonly DispatchResult[]): void {
  for (const r of results) {
    const f = (s: Spread): string => `${s.median.toFixed(0)} (p10 ${s.p10.toFixed(0)}-p90 ${s.p90.toFixed(0)})`;
    console.log(`  ${r.model} qaic stages (us): ${Object.entries(r.qaicStagesUs).map(([k, v]) => `${k} ${v}`).join(', ')}; hand-written in ${r.plainStagesUs.in}, out ${r.plainStagesUs.out}`);
    console.log(`dispatch ${r.model}: qaic ${f(r.us.qaic)} us, plain worker ${f(r.us.plain)} us, echo ${f(r.us.echo)} us, echo after idle ${f(r.us.echoIdle)} us -> qaic/echo ${r.qaicOverEcho}x (target <= 1.3x: ${r.met ? 'met' : 'MISSED'}), qaic/echo-after-idle ${r.qaicOverEchoIdle}x, qaic/plain ${r.qaicOverPlain}x`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const results = await benchDispatch();
  printDispatch(results);
  console.log(saveResult('dispatch', { machine: machine(), quick: QUICK, date: new Date().toISOString(), results }));
}

/**
 * Benchmark: memory of one Session serving PP-OCRv4 det's landscape (1x3x256x384) and portrait (1x3x384x256)
 * specializations from one program (`graph: 'auto'`), against two single-graph Sessions (one per shape) with the
 * same number of activations each; and what each extra graph costs per activation. Also checks, once, that the one
 * Session's outputs on an interleaved mix of 200 inputs equal plain onnxruntime-node's.
 *
 * Every configuration runs in a fresh process (interleaved: the order rotates per round) that creates its sessions
 * with `setup()`, samples `/proc/self/status` (VmRSS) and `/proc/self/smaps_rollup` (Pss), runs the same mixed
 * workload (4 requests in flight at a time, each wave's inputs made for it, outputs dropped), and samples again, each
 * sample after a garbage collection. Two baselines, both read in the same process before its sessions were created:
 * - "cold": node and the library imported, onnxruntime not yet loaded. Growth over it includes the library's first
 *   use (onnxruntime's code paged in, its env, the main heap's first growth), which any process using qaic pays once.
 * - "warm" (the headline): after that first use, made by a Session on a third det program (1x3x128x128, its own
 *   weights file) that ran once and closed. Growth over it is what the sessions under test add.
 *
 * - `one-session`: one Session on the specializations program, 2 activations, the mix (both graphs loaded in
 *   each activation).
 * - `two-sessions`: a Session on a landscape-only program and one on a portrait-only program, 2 activations each,
 *   each shape to its session.
 * - `one-session, landscape only`: the one Session given only landscape inputs (its portrait graph never loaded):
 *   `one-session` minus this, over 2 activations, is what the extra graph costs per activation.
 *
 * Target (issue 16): one-session RSS <= 0.6x two-sessions.
 *
 * `node dist/benchmarks/specializations-memory.js [--quick]`; prints a table, saves
 * benchmarks/results/specializations-memory.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../lib/compiler/compile.js';
import { QUICK, machine, saveResult } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { readMemorySample, type MemorySample } from './lib/memory-sample.js';

const DET = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_det_infer.onnx');
const LANDSCAPE = [1, 3, 256, 384];
const PORTRAIT = [1, 3, 384, 256];
const SYMBOLS = (h: number, w: number): Record<string, number> => ({ 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': h, 'p2o.DynamicDimension.2': w });
const ACTIVATIONS = 2;
/** inputs in the mixed workload (every other one portrait) */
const MIX = QUICK ? 40 : 200;
const ROUNDS = QUICK ? 2 : 5;
/** requests in flight at once in the memory children: one per activation of both sessions, in both configurations */
const IN_FLIGHT = 4;

type Sample = MemorySample;
const readSample = readMemorySample;

type Config = 'one-session' | 'two-sessions' | 'one-session, landscape only';

interface ChildPlan {
  config: Config;
  programs: { both: string; landscape: string; portrait: string; warmUp: string };
}

interface ChildResult {
  /** before the library's first use */
  cold: Sample;
  /** after the warm-up Session ran once and closed */
  base: Sample;
  created: Sample;
  ran: Sample;
  /** the engine the sessions ran on (the default, or QAIC_ENGINE's) */
  engine?: string | undefined;
}

/** The i-th input of the mixed workload (every other one portrait unless `landscapeOnly`). */
function mixInput(i: number, landscapeOnly: boolean): { shape: number[]; data: Float32Array } {
  const shape = landscapeOnly || i % 2 === 0 ? LANDSCAPE : PORTRAIT;
  return { shape, data: lcgFloat32(3 * 256 * 384, i + 1) };
}

function mix(count: number, landscapeOnly: boolean): Array<{ shape: number[]; data: Float32Array }> {
  return Array.from({ length: count }, (_, i) => mixInput(i, landscapeOnly));
}

/** Collect garbage before a sample, so that it counts what the sessions hold, not inputs and outputs not yet swept. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('global.gc is missing: the child must run with --expose-gc');
  gc();
  gc();
}

async function childMain(plan: ChildPlan): Promise<void> {
  const { Session } = await import('../lib/index.js');
  const settle = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, 200));
    collect();
  };
  await settle();
  const cold = readSample();
  const warmUp = new Session(plan.programs.warmUp, { num_activations: 1 });
  await warmUp.run({ x: { data: new Float32Array(3 * 128 * 128).fill(0.5), shape: [1, 3, 128, 128] } });
  await warmUp.close();
  await settle();
  const base = readSample();
  const options = { num_activations: ACTIVATIONS, allow_oversubscription: true };
  const sessions = plan.config === 'two-sessions'
    ? [new Session(plan.programs.landscape, options), new Session(plan.programs.portrait, options)]
    : [new Session(plan.programs.both, options)];
  await Promise.all(sessions.map((s) => s.setup()));
  await settle();
  const created = readSample();
  const landscapeOnly = plan.config === 'one-session, landscape only';
  // in waves of IN_FLIGHT, each wave's inputs made for it and outputs dropped: the samples measure the sessions, not
  // hundreds of tensors held at once
  for (let i = 0; i < MIX; i += IN_FLIGHT) {
    const wave = Array.from({ length: Math.min(IN_FLIGHT, MIX - i) }, (_, k) => mixInput(i + k, landscapeOnly));
    await Promise.all(wave.map((input) => {
      const session = sessions.length === 2 && input.shape === PORTRAIT ? sessions[1]! : sessions[0]!;
      return session.run({ x: { data: input.data, shape: input.shape } }).then(() => undefined);
    }));
  }
  await settle();
  const ran = readSample();
  process.stdout.write(JSON.stringify({ cold, base, created, ran, engine: sessions[0]!.engine } satisfies ChildResult));
  await Promise.all(sessions.map((s) => s.close()));
}

function runChild(plan: ChildPlan): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(plan)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`child ${plan.config} failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout) as ChildResult;
}

/** The one Session on the mix against plain onnxruntime-node on the same inputs: mismatches and worst relative gap. */
async function parity(program: string): Promise<{ inputs: number; mismatched: number; worstRelative: number }> {
  const ort = await import('onnxruntime-node');
  const { Session } = await import('../lib/index.js');
  const session = new Session(program, { num_activations: ACTIVATIONS, allow_oversubscription: true });
  await session.setup();
  const reference = await ort.InferenceSession.create(DET, { intraOpNumThreads: 1 });
  try {
    const inputs = mix(200, false);
    const outputs = await Promise.all(inputs.map((input) => session.run({ x: { data: input.data.slice(), shape: input.shape } })));
    let mismatched = 0;
    let worst = 0;
    for (const [i, input] of inputs.entries()) {
      const name = reference.outputNames[0]!;
      const expected = (await reference.run({ x: new ort.Tensor('float32', input.data, input.shape) }))[name]!.data as Float32Array;
      const got = outputs[i]![name]!.data as Float32Array;
      let gap = got.length === expected.length ? 0 : Infinity;
      for (let k = 0; k < got.length && gap !== Infinity; k++) gap = Math.max(gap, Math.abs(got[k]! - expected[k]!) / Math.max(Math.abs(expected[k]!), 1));
      if (gap > 1e-5) mismatched++;
      worst = Math.max(worst, gap);
    }
    return { inputs: inputs.length, mismatched, worstRelative: worst };
  } finally {
    await session.close();
    await reference.release();
  }
}

interface Row {
  config: Config;
  createdGrowth: { rss: Spread; pss: Spread };
  ranGrowth: { rss: Spread; pss: Spread };
  /** growth over the cold baseline (the library's first use included) */
  ranGrowthCold: { rss: Spread; pss: Spread };
  ranTotal: { rss: Spread; pss: Spread };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-spec-bench-'));
  const loadBefore = loadavg();
  try {
    const both = await compile(DET, { specializations: [SYMBOLS(256, 384), SYMBOLS(384, 256)], output_dir: join(dir, 'both') });
    const landscape = await compile(DET, { onnx_define_symbol: SYMBOLS(256, 384), output_dir: join(dir, 'landscape') });
    const portrait = await compile(DET, { onnx_define_symbol: SYMBOLS(384, 256), output_dir: join(dir, 'portrait') });
    const warmUp = await compile(DET, { onnx_define_symbol: SYMBOLS(128, 128), output_dir: join(dir, 'warm-up') });
    const programs = { both: both.programDir, landscape: landscape.programDir, portrait: portrait.programDir, warmUp: warmUp.programDir };
    const configs: Config[] = ['one-session', 'two-sessions', 'one-session, landscape only'];
    const samples = new Map<Config, ChildResult[]>(configs.map((c) => [c, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const config of rotate(configs, round)) samples.get(config)!.push(runChild({ config, programs }));
    }
    const rows: Row[] = configs.map((config) => {
      const runs = samples.get(config)!;
      const growth = (point: 'created' | 'ran', key: keyof Sample): Spread => spread(runs.map((r) => r[point][key] - r.base[key]));
      return {
        config,
        createdGrowth: { rss: growth('created', 'rss'), pss: growth('created', 'pss') },
        ranGrowth: { rss: growth('ran', 'rss'), pss: growth('ran', 'pss') },
        ranGrowthCold: { rss: spread(runs.map((r) => r.ran.rss - r.cold.rss)), pss: spread(runs.map((r) => r.ran.pss - r.cold.pss)) },
        ranTotal: { rss: spread(runs.map((r) => r.ran.rss)), pss: spread(runs.map((r) => r.ran.pss)) },
      };
    });
    const one = rows[0]!;
    const two = rows[1]!;
    const landscapeOnly = rows[2]!;
    // per-round pairing (same round, adjacent in time) for the extra graph's cost
    const perRound = samples.get('one-session')!.map((r, i) => ((r.ran.rss - r.base.rss) - (samples.get('one-session, landscape only')![i]!.ran.rss - samples.get('one-session, landscape only')![i]!.base.rss)) / ACTIVATIONS);
    const result = {
      machine: machine(),
      quick: QUICK,
      engines: [...new Set([...samples.values()].flat().map((r) => r.engine ?? 'unknown'))],
      rounds: ROUNDS,
      activations: ACTIVATIONS,
      mix: MIX,
      loadavg: { before: loadBefore, after: loadavg() },
      rows,
      ratios: {
        rssGrowthOneVsTwo: ratio(one.ranGrowth.rss.median, two.ranGrowth.rss.median),
        rssTotalOneVsTwo: ratio(one.ranTotal.rss.median, two.ranTotal.rss.median),
        pssGrowthOneVsTwo: ratio(one.ranGrowth.pss.median, two.ranGrowth.pss.median),
        rssGrowthColdOneVsTwo: ratio(one.ranGrowthCold.rss.median, two.ranGrowthCold.rss.median),
        pssGrowthColdOneVsTwo: ratio(one.ranGrowthCold.pss.median, two.ranGrowthCold.pss.median),
      },
      extraGraphPerActivationMiB: spread(perRound),
      extraGraphPerActivationMedianOfDifference: (one.ranGrowth.rss.median - landscapeOnly.ranGrowth.rss.median) / ACTIVATIONS,
      parity: await parity(both.programDir),
    };
    const fmt = (s: Spread): string => `${s.median.toFixed(1)} [${s.min.toFixed(1)}-${s.max.toFixed(1)}]`;
    console.log(`engine ${result.engines.join(', ')}; PP-OCRv4 det, ${ACTIVATIONS} activations per session, ${MIX} mixed inputs, ${ROUNDS} rounds (MiB, median [min-max])`);
    console.log('config                         | RSS growth after setup | RSS growth after mix | PSS growth after mix | RSS growth over cold | RSS total');
    for (const r of rows) console.log(`${r.config.padEnd(30)} | ${fmt(r.createdGrowth.rss).padEnd(22)} | ${fmt(r.ranGrowth.rss).padEnd(20)} | ${fmt(r.ranGrowth.pss).padEnd(20)} | ${fmt(r.ranGrowthCold.rss).padEnd(20)} | ${fmt(r.ranTotal.rss)}`);
    console.log(`one session / two sessions: RSS growth ${result.ratios.rssGrowthOneVsTwo}x, PSS growth ${result.ratios.pssGrowthOneVsTwo}x (target <= 0.6x); over the cold process RSS ${result.ratios.rssGrowthColdOneVsTwo}x, PSS ${result.ratios.pssGrowthColdOneVsTwo}x; RSS total ${result.ratios.rssTotalOneVsTwo}x`);
    console.log(`extra graph per activation: ${fmt(result.extraGraphPerActivationMiB)} MiB`);
    console.log(`parity on ${result.parity.inputs} mixed inputs: ${result.parity.mismatched} mismatched, worst relative gap ${result.parity.worstRelative.toExponential(2)}`);
    console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${result.loadavg.after.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`saved ${saveResult('specializations-memory', result)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await childMain(JSON.parse(process.argv[3]!) as ChildPlan);
} else {
  await main();
}


/**
 * Benchmark: `run(inputs, { outputs })` on a strict subset of the outputs runs the graph pruned to them (issue 16),
 * on a model built with the project's builder: x [64, 512] → `cheap` = x + x, and `heavy` = 8 chained MatMuls with
 * their own 512x512 weights (8 MiB, stored once in the program's weight section).
 *
 * Time: one Session (1 activation, 1 core) per engine, warmed (every output set run once, so each pruned graph is
 * loaded), then interleaved rounds: in each round every mode (`full`: every output; `cheap`: outputs ['cheap'];
 * `heavy`: outputs ['heavy']) runs RUNS inferences back to back, the modes' order rotating per round. Each sample is
 * one run()'s wall time on the caller's side; medians with p10-p90 and min-max over all samples.
 *
 * Memory: in fresh processes (interleaved rounds of two configurations), a Session with 2 activations runs the full
 * graph, then (`pruned`) both output sets on both activations (4 pruned onnxruntime sessions) or (`full only`) as
 * many more full runs. RSS/PSS growth from the point after the full runs: the difference is what the 4 pruned
 * sessions cost, divided by 4 per pruned session. `heavy`'s pruned graph keeps all 8 MiB of weights: had they been
 * copied rather than mapped from the program's file (hard-linked), each of its sessions would add about 8 MiB.
 *
 * `node dist/benchmarks/output-selection.js [--quick]`; prints a table, saves benchmarks/results/output-selection.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../lib/compiler/compile.js';
import { encodeModel } from '../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../lib/onnx/builder.js';
import { QUICK, machine, saveResult } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { readMemorySample, type MemorySample } from './lib/memory-sample.js';

const ROWS = 64;
const WIDTH = 512;
const LAYERS = 8;
const ROUNDS = QUICK ? 3 : 8;
const RUNS = QUICK ? 5 : 15;
const MEMORY_ROUNDS = QUICK ? 2 : 4;
const MODES = { full: undefined, cheap: ['cheap'], heavy: ['heavy'] } as const;
type Mode = keyof typeof MODES;

function buildModel(path: string): void {
  const nodes = [node('Add', ['x', 'x'], ['cheap'])];
  const weights = [];
  let previous = 'x';
  for (let i = 0; i < LAYERS; i++) {
    const out = i === LAYERS - 1 ? 'heavy' : `h${i}`;
    nodes.push(node('MatMul', [previous, `w${i}`], [out]));
    // scaled so that the chain neither vanishes nor overflows
    weights.push(initializer(`w${i}`, 'float32', [WIDTH, WIDTH], lcgFloat32(WIDTH * WIDTH, i + 1).map((v) => (v - 0.5) / 8)));
    previous = out;
  }
  writeFileSync(path, encodeModel(model(graph({
    nodes,
    inputs: [tensorInfo('x', 'float32', [ROWS, WIDTH])],
    outputs: [tensorInfo('cheap', 'float32', [ROWS, WIDTH]), tensorInfo('heavy', 'float32', [ROWS, WIDTH])],
    initializers: weights,
  }))));
}

type Sample = MemorySample;
const readSample = readMemorySample;

type MemoryConfig = 'pruned' | 'full only';

/** A memory child: RSS after the full runs and after the second phase. */
async function childMain(plan: { config: MemoryConfig; program: string; engine: string }): Promise<void> {
  const { Session } = await import('../lib/index.js');
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));
  const session = new Session(plan.program, { num_activations: 2, allow_oversubscription: true, engine: plan.engine as 'native' });
  await session.setup();
  const x = (): Float32Array => lcgFloat32(ROWS * WIDTH, 7);
  // both activations run the full graph (2 in flight), twice
  for (let i = 0; i < 2; i++) await Promise.all([session.run({ x: x() }), session.run({ x: x() })]);
  await settle();
  const before = readSample();
  for (const outputs of [['cheap'], ['heavy']]) {
    for (let i = 0; i < 2; i++) {
      await Promise.all([0, 1].map(() => (plan.config === 'pruned' ? session.run({ x: x() }, { outputs }) : session.run({ x: x() }))));
    }
  }
  await settle();
  const after = readSample();
  process.stdout.write(JSON.stringify({ before, after }));
  await session.close();
}

function runChild(plan: { config: MemoryConfig; program: string; engine: string }): { before: Sample; after: Sample } {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(plan)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`child ${plan.config} failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout) as { before: Sample; after: Sample };
}

async function timeEngine(program: string, engine: 'native' | 'worker'): Promise<Record<Mode, Spread> & { equal: boolean }> {
  const { Session } = await import('../lib/index.js');
  const session = new Session(program, { num_activations: 1, aic_num_cores: 1, engine });
  try {
    await session.setup();
    const x = lcgFloat32(ROWS * WIDTH, 3);
    const full = await session.run({ x: x.slice() });
    let equal = true;
    for (const mode of ['cheap', 'heavy'] as const) {
      const out = await session.run({ x: x.slice() }, { outputs: MODES[mode] });
      const a = out[mode]!.data as Float32Array;
      const b = full[mode]!.data as Float32Array;
      equal &&= a.length === b.length && a.every((v, i) => v === b[i]);
    }
    const samples: Record<Mode, number[]> = { full: [], cheap: [], heavy: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of rotate(Object.keys(MODES) as Mode[], round)) {
        const outputs = MODES[mode];
        for (let i = 0; i < RUNS; i++) {
          const input = { x: x.slice() };
          const t0 = performance.now();
          await (outputs === undefined ? session.run(input) : session.run(input, { outputs }));
          samples[mode].push(performance.now() - t0);
        }
      }
    }
    return { full: spread(samples.full), cheap: spread(samples.cheap), heavy: spread(samples.heavy), equal };
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-outsel-bench-'));
  const loadBefore = loadavg();
  try {
    const source = join(dir, 'branchy.onnx');
    buildModel(source);
    const program = (await compile(source, { output_dir: join(dir, 'qpc') })).programDir;
    const engines = ['native', 'worker'] as const;
    const time: Record<string, Record<Mode, Spread> & { equal: boolean }> = {};
    for (const engine of engines) time[engine] = await timeEngine(program, engine);
    const memory: Record<string, { pruned: Record<string, Spread>; fullOnly: Record<string, Spread>; perPrunedSessionMiB: { rss: number; pss: number } }> = {};
    for (const engine of engines) {
      const runs: Record<MemoryConfig, Array<{ before: Sample; after: Sample }>> = { pruned: [], 'full only': [] };
      for (let round = 0; round < MEMORY_ROUNDS; round++) {
        for (const config of rotate(['pruned', 'full only'] as MemoryConfig[], round)) runs[config].push(runChild({ config, program, engine }));
      }
      const growth = (config: MemoryConfig, key: keyof Sample): Spread => spread(runs[config].map((r) => r.after[key] - r.before[key]));
      const pruned = { rss: growth('pruned', 'rss'), pss: growth('pruned', 'pss') };
      const fullOnly = { rss: growth('full only', 'rss'), pss: growth('full only', 'pss') };
      memory[engine] = {
        pruned, fullOnly,
        // 2 activations x 2 output sets
        perPrunedSessionMiB: { rss: (pruned.rss.median - fullOnly.rss.median) / 4, pss: (pruned.pss.median - fullOnly.pss.median) / 4 },
      };
    }
    const result = {
      machine: machine(), quick: QUICK, model: { rows: ROWS, width: WIDTH, layers: LAYERS, weightsMiB: (LAYERS * WIDTH * WIDTH * 4) / 2 ** 20 },
      rounds: ROUNDS, runsPerModePerRound: RUNS, memoryRounds: MEMORY_ROUNDS,
      loadavg: { before: loadBefore, after: loadavg() },
      time, memory,
      ratios: Object.fromEntries(engines.map((e) => [e, { cheapVsFull: ratio(time[e]!.cheap.median, time[e]!.full.median), heavyVsFull: ratio(time[e]!.heavy.median, time[e]!.full.median) }])),
    };
    const fmt = (s: Spread): string => `${s.median.toFixed(2)} [p10-p90 ${s.p10.toFixed(2)}-${s.p90.toFixed(2)}, ${s.min.toFixed(2)}-${s.max.toFixed(2)}]`;
    console.log(`x [${ROWS}, ${WIDTH}]: cheap = x + x; heavy = ${LAYERS} MatMuls (${result.model.weightsMiB} MiB of weights); ${ROUNDS} rounds x ${RUNS} runs per mode, interleaved (ms per run())`);
    for (const e of engines) {
      const t = time[e]!;
      console.log(`${e.padEnd(6)} full ${fmt(t.full)} | outputs ['cheap'] ${fmt(t.cheap)} (${result.ratios[e]!.cheapVsFull}x) | outputs ['heavy'] ${fmt(t.heavy)} (${result.ratios[e]!.heavyVsFull}x) | values equal: ${t.equal}`);
    }
    for (const e of engines) {
      const m = memory[e]!;
      console.log(`${e.padEnd(6)} RSS growth over the second phase, MiB (median [min-max], ${MEMORY_ROUNDS} rounds): pruned ${m.pruned.rss!.median.toFixed(1)} [${m.pruned.rss!.min.toFixed(1)}-${m.pruned.rss!.max.toFixed(1)}], full only ${m.fullOnly.rss!.median.toFixed(1)} [${m.fullOnly.rss!.min.toFixed(1)}-${m.fullOnly.rss!.max.toFixed(1)}]; per pruned session: RSS ${m.perPrunedSessionMiB.rss.toFixed(2)} MiB, PSS ${m.perPrunedSessionMiB.pss.toFixed(2)} MiB`);
    }
    console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${result.loadavg.after.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`saved ${saveResult('output-selection', result)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await childMain(JSON.parse(process.argv[3]!) as { config: MemoryConfig; program: string; engine: string });
} else {
  await main();
}

/**
 * Benchmark: memory of activations loading from a program vs plain onnxruntime-node sessions from the raw ONNX,
 * and what linking two shapes of one model costs.
 *
 * Every configuration runs in a fresh process that starts activations (worker thread + onnxruntime session + one
 * run) and samples `/proc/self/status` (VmRSS, RssAnon, RssFile) and `/proc/self/smaps_rollup` (Pss): first
 * after creating each activation, then after each one's first run. "Per extra activation" at creation is
 * (value with k created - value with 1) / (k - 1), since the first activation carries onnxruntime's one-off costs;
 * "in use" adds the median growth per first run (run-time buffers plus the weight pages a run faults in). Configurations are interleaved (order rotated per round) and the
 * medians over rounds are reported.
 *
 * - `raw-default`: what a user gets without this library: the raw ONNX, onnxruntime defaults (level 'all', arena,
 *   prepacking), intraOpNumThreads 1.
 * - `program`: the compiled program's graph file with the session options the program carries (level 'disabled',
 *   no prepacking), weights mapped from programqpc.bin.
 * - `program, weights inline`: the same graph and options with the weights copied into the graph file (no sharing):
 *   what sharing the mapped weights saves.
 * - `library`: what users get: one `Session` on the program with k activations (k = 1, then k = 4, each in a fresh
 *   process; per extra = difference / 3), created by `setup()`, "in use" after one run on every activation. The
 *   headline ratios come from these rows; the minimal-worker rows above break the cost down.
 * - `worker-only`: workers without a session (the floor).
 * - linked: det compiled for 1x3x256x384 (landscape) and 1x3x384x256 (portrait), linked into one program. File
 *   size against the landscape program alone; memory of two activations, landscape + portrait from the linked
 *   program, against two landscape activations from the single program (same activation count, one graph).
 *
 * Targets (issue 3): RSS per extra activation <= 0.4x raw-default; linked file size and RSS <= 1.15x one graph's.
 *
 * `node dist/benchmarks/program-memory.js [--quick]`; prints a table, saves benchmarks/results/program-memory.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compile } from '../lib/compiler/compile.js';
import { link, openProgram } from '../lib/program/index.js';
import { QUICK, machine, saveResult } from './lib/config.js';
import { spread, rotate, type Spread } from './lib/stats.js';
import type { MemoryWorkerData } from './lib/memory-worker.js';
import { inlineWeights } from './lib/inline-weights.js';

const ASSETS = join(process.cwd(), 'node_modules', '@gutenye', 'ocr-models', 'assets');
const DET = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
const REC = join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx');
const MiB = 2 ** 20;

/** One memory sample, in MiB. */
interface Sample {
  rss: number;
  rssAnon: number;
  rssFile: number;
  pss: number;
}

/** What a child process is asked to do: start these activations in order. */
interface ChildPlan {
  activations: MemoryWorkerData[];
}

function readSample(): Sample {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  let pss = NaN;
  try {
    pss = kib(readFileSync('/proc/self/smaps_rollup', 'utf8'), 'Pss');
  } catch {
    // kernels before 4.14 have no smaps_rollup
  }
  return { rss: kib(status, 'VmRSS'), rssAnon: kib(status, 'RssAnon'), rssFile: kib(status, 'RssFile'), pss };
}

async function childMain(plan: ChildPlan): Promise<void> {
  const workerFile = fileURLToPath(new URL('./lib/memory-worker.js', import.meta.url));
  const created: Sample[] = [readSample()];
  const ran: Sample[] = [readSample()];
  const workers: Worker[] = [];
  const next = (worker: Worker) => new Promise<{ stage: string; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const settle = () => new Promise((r) => setTimeout(r, 150));
  // Create every activation first, then run them one by one: a creation sample must not include earlier runs.
  for (const data of plan.activations) {
    const worker = new Worker(workerFile, { workerData: data });
    workers.push(worker);
    const reply = await next(worker);
    if (reply.stage !== 'created') throw new Error(reply.error);
    await settle();
    created.push(readSample());
  }
  ran[0] = created[created.length - 1]!;
  for (const worker of workers) {
    worker.postMessage('run');
    const reply = await next(worker);
    if (reply.stage !== 'ran') throw new Error(reply.error);
    await settle();
    ran.push(readSample());
  }
  process.stdout.write(JSON.stringify({ created, ran }));
  await Promise.all(workers.map((w) => w.terminate()));
}

/** What a library child is asked to do: one Session with `activations` activations, set up, then one run on each. */
interface LibraryPlan {
  library: { programDir: string; graph?: string; activations: number; input: { name: string; shape: number[] } };
}

/** A library child's two samples: after `setup()`, and after one run on every activation. */
interface LibrarySamples {
  created: Sample;
  ran: Sample;
}

async function libraryChildMain(plan: LibraryPlan): Promise<void> {
  const { Session } = await import('../lib/index.js');
  const { programDir, graph, activations, input } = plan.library;
  const session = new Session(programDir, { num_activations: activations, allow_oversubscription: true, ...(graph === undefined ? {} : { graph }) });
  const settle = () => new Promise((r) => setTimeout(r, 150));
  await session.setup();
  await settle();
  const created = readSample();
  const count = input.shape.reduce((a, b) => a * b, 1);
  // as many concurrent runs as activations: least-in-flight dispatch gives each activation one
  await Promise.all(Array.from({ length: activations }, () => {
    const data = new Float32Array(count).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    return session.run({ [input.name]: { data, shape: input.shape } });
  }));
  await settle();
  const ran = readSample();
  process.stdout.write(JSON.stringify({ created, ran } satisfies LibrarySamples));
  await session.close();
}

interface ChildSamples {
  /** index k: after k activations were created (index 0: before any) */
  created: Sample[];
  /** index 0: all activations created; index k: after k of them had run once */
  ran: Sample[];
}

function runChild(plan: ChildPlan): ChildSamples;
function runChild(plan: LibraryPlan): LibrarySamples;
function runChild(plan: ChildPlan | LibraryPlan): ChildSamples | LibrarySamples {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [script, '--child', JSON.stringify(plan)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout) as ChildSamples | LibrarySamples;
}

/** Growth per extra activation and totals at one sampling point, medians over rounds. */
interface PointResult {
  perExtra: { rss: Spread; rssAnon: Spread; rssFile: Spread; pss: Spread };
  total: { rss: Spread; pss: Spread };
}

/** One configuration: after creation, and after one run in every activation. */
interface ConfigResult {
  activations: number;
  created: PointResult;
  ran: PointResult;
}

function point(runs: Sample[][], base: 1): PointResult {
  const k = runs[0]!.length - 1;
  const per = (key: keyof Sample) => spread(runs.map((s) => (s[k]![key] - s[base]![key]) / Math.max(1, k - base)));
  return {
    perExtra: { rss: per('rss'), rssAnon: per('rssAnon'), rssFile: per('rssFile'), pss: per('pss') },
    total: { rss: spread(runs.map((s) => s[k]!.rss)), pss: spread(runs.map((s) => s[k]!.pss)) },
  };
}

function summarise(runs: ChildSamples[]): ConfigResult {
  // creation: growth per activation after the first (which carries onnxruntime's one-off costs); runs: growth per
  // first run of each activation after the first one's (run-time buffers, and the mappings of weight pages the
  // first run already brought into the page cache)
  const created = point(runs.map((r) => r.created), 1);
  const ran = point(runs.map((r) => r.ran), 1);
  const sum = (a: Spread, b: Spread): Spread => ({ ...a, median: a.median + b.median, p10: NaN, p90: NaN, p25: NaN, p75: NaN, p99: NaN, min: NaN, max: NaN });
  // an activation in use costs its creation plus its first run
  const inUse: PointResult = {
    perExtra: {
      rss: sum(created.perExtra.rss, ran.perExtra.rss), rssAnon: sum(created.perExtra.rssAnon, ran.perExtra.rssAnon),
      rssFile: sum(created.perExtra.rssFile, ran.perExtra.rssFile), pss: sum(created.perExtra.pss, ran.perExtra.pss),
    },
    total: ran.total,
  };
  return { activations: runs[0]!.created.length - 1, created, ran: inUse };
}

/** Library rows: per extra activation = (k activations - 1 activation) / (k - 1), per round, at both points. */
function summariseLibrary(one: LibrarySamples[], many: LibrarySamples[], k: number): ConfigResult {
  const at = (key: 'created' | 'ran'): PointResult => {
    const per = (m: keyof Sample) => spread(many.map((s, i) => (s[key][m] - one[i]![key][m]) / (k - 1)));
    return {
      perExtra: { rss: per('rss'), rssAnon: per('rssAnon'), rssFile: per('rssFile'), pss: per('pss') },
      total: { rss: spread(many.map((s) => s[key].rss)), pss: spread(many.map((s) => s[key].pss)) },
    };
  };
  return { activations: k, created: at('created'), ran: at('ran') };
}

async function main(): Promise<void> {
  const rounds = QUICK ? 2 : 4;
  const perConfig = QUICK ? 3 : 4;
  const work = mkdtempSync(join(tmpdir(), 'qaic-bench-memory-'));
  try {
    const symbols = (h: number, w: number) => ({ 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': h, 'p2o.DynamicDimension.2': w });
    const landscape = await compile(DET, { output_dir: join(work, 'det-landscape'), onnx_define_symbol: symbols(256, 384) });
    const portrait = await compile(DET, { output_dir: join(work, 'det-portrait'), onnx_define_symbol: symbols(384, 256) });
    const rec = await compile(REC, { output_dir: join(work, 'rec'), onnx_define_symbol: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320 } });
    const linked = await link([landscape.programDir, portrait.programDir], { output_dir: join(work, 'det-linked') });

    const activation = async (programDir: string, graph?: string): Promise<MemoryWorkerData> => {
      const g = await (await openProgram(programDir)).loadable(graph);
      return { modelPath: g.modelPath, sessionOptions: g.sessionOptions, input: { name: g.inputs[0]!.name, shape: g.inputs[0]!.shape as number[] } };
    };
    const inline = async (programDir: string, name: string): Promise<MemoryWorkerData> => {
      const a = await activation(programDir);
      const modelPath = join(work, `${name}-inline.onnx`);
      inlineWeights(a.modelPath!, modelPath);
      return { ...a, modelPath };
    };
    const library = (programDir: string, activations: number, name: string, shape: number[]): LibraryPlan => ({ library: { programDir, activations, input: { name, shape } } });
    const raw = (path: string, shape: number[]): MemoryWorkerData => ({ modelPath: path, sessionOptions: {}, input: { name: 'x', shape } });
    // not what programs carry today: measured to see whether run-time buffers held by the arena are worth freeing
    const arenaOff = (a: MemoryWorkerData): MemoryWorkerData => ({ ...a, sessionOptions: { ...a.sessionOptions, enableCpuMemArena: false } });
    const noPattern = (a: MemoryWorkerData): MemoryWorkerData => ({ ...a, sessionOptions: { ...a.sessionOptions, enableMemPattern: false } });
    const times = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

    const plans: Record<string, ChildPlan> = {
      'worker-only': { activations: times(perConfig, {}) },
      'det raw-default': { activations: times(perConfig, raw(DET, [1, 3, 256, 384])) },
      'det program': { activations: times(perConfig, await activation(landscape.programDir)) },
      'det program, weights inline': { activations: times(perConfig, await inline(landscape.programDir, 'det')) },
      'det program, arena off': { activations: times(perConfig, arenaOff(await activation(landscape.programDir))) },
      'det program, arena + mem pattern off': { activations: times(perConfig, noPattern(arenaOff(await activation(landscape.programDir)))) },
      'rec raw-default': { activations: times(perConfig, raw(REC, [1, 3, 48, 320])) },
      'rec program': { activations: times(perConfig, await activation(rec.programDir)) },
      'rec program, weights inline': { activations: times(perConfig, await inline(rec.programDir, 'rec')) },
      'rec program, arena off': { activations: times(perConfig, arenaOff(await activation(rec.programDir))) },
      'det single x2 (landscape, landscape)': { activations: times(2, await activation(landscape.programDir)) },
      'det linked x2 (landscape, portrait)': { activations: [await activation(linked.path, 'det-landscape'), await activation(linked.path, 'det-portrait')] },
    };
    const libraryPlans: Record<string, [LibraryPlan, LibraryPlan]> = {
      'det library (Session)': [library(landscape.programDir, 1, 'x', [1, 3, 256, 384]), library(landscape.programDir, perConfig, 'x', [1, 3, 256, 384])],
      'rec library (Session)': [library(rec.programDir, 1, 'x', [1, 3, 48, 320]), library(rec.programDir, perConfig, 'x', [1, 3, 48, 320])],
    };
    const names = Object.keys(plans);
    const libraryNames = Object.keys(libraryPlans);
    const runs: Record<string, ChildSamples[]> = Object.fromEntries(names.map((n) => [n, []]));
    const libraryRuns: Record<string, [LibrarySamples[], LibrarySamples[]]> = Object.fromEntries(libraryNames.map((n) => [n, [[], []]]));
    for (let r = 0; r < rounds; r++) {
      for (const name of rotate([...names, ...libraryNames], r)) {
        const pair = libraryPlans[name];
        if (pair === undefined) {
          runs[name]!.push(runChild(plans[name]!));
        } else {
          libraryRuns[name]![0].push(runChild(pair[0]));
          libraryRuns[name]![1].push(runChild(pair[1]));
        }
      }
    }
    const results = Object.fromEntries([
      ...names.map((n) => [n, summarise(runs[n]!)]),
      ...libraryNames.map((n) => [n, summariseLibrary(libraryRuns[n]![0], libraryRuns[n]![1], perConfig)]),
    ]) as Record<string, ConfigResult>;
    const allNames = [...names, ...libraryNames];

    const singleBytes = statSync(landscape.programPath).size;
    const ratio = (a: number, b: number) => a / b;
    const per = (name: string, at: 'created' | 'ran', key: 'rss' | 'pss') => results[name]![at].perExtra[key].median;
    const tot = (name: string, key: 'rss' | 'pss') => results[name]!.ran.total[key].median;
    const summary: Record<string, number> = {};
    // headline: the library's activations; breakdown: the program graph in a minimal worker, with and without shared weights
    const compared: Record<string, string> = { '': 'library (Session)', 'graph.': 'program', 'inline.': 'program, weights inline' };
    for (const m of ['det', 'rec']) {
      for (const [prefix, config] of Object.entries(compared)) {
        for (const at of ['created', 'ran'] as const) {
          for (const key of ['rss', 'pss'] as const) summary[`${m}.${prefix}${at}.${key}PerExtraRatio`] = per(`${m} ${config}`, at, key) / per(`${m} raw-default`, at, key);
        }
      }
    }
    summary.linkedFileRatio = linked.fileBytes / singleBytes;
    summary.linkedRssRatio = tot('det linked x2 (landscape, portrait)', 'rss') / tot('det single x2 (landscape, landscape)', 'rss');
    summary.linkedPssRatio = tot('det linked x2 (landscape, portrait)', 'pss') / tot('det single x2 (landscape, landscape)', 'pss');

    const f = (n: number) => n.toFixed(1);
    const x = (n: number | undefined) => `${(n ?? NaN).toFixed(2)}x`;
    const row = (n: string, at: 'created' | 'ran') => {
      const c = results[n]![at];
      return `| ${n} | ${at === 'ran' ? 'in use' : at} | ${results[n]!.activations} | ${f(c.perExtra.rss.median)} | ${f(c.perExtra.rssAnon.median)} | ${f(c.perExtra.rssFile.median)} | ${f(c.perExtra.pss.median)} | ${f(c.total.rss.median)} | ${f(c.total.pss.median)} |`;
    };
    const lines = [
      `program memory (${rounds} rounds, medians, MiB; per extra = growth per activation after the first)`,
      '',
      '| configuration | sampled | activations | per extra RSS | RssAnon | RssFile | per extra PSS | total RSS | total PSS |',
      '|---|---|---|---|---|---|---|---|---|',
      ...allNames.flatMap((n) => [row(n, 'created'), row(n, 'ran')]),
      '',
      `per extra activation / raw default (target RSS <= 0.40x); "in use" = after one run on each activation:`,
      ...['det', 'rec'].flatMap((m) => Object.entries(compared).map(([prefix, config]) => {
        const v = (at: string, key: string) => x(summary[`${m}.${prefix}${at}.${key}PerExtraRatio`]);
        return `  ${m} ${config}: after create RSS ${v('created', 'rss')} PSS ${v('created', 'pss')}; in use RSS ${v('ran', 'rss')} PSS ${v('ran', 'pss')}`;
      })),
      `linked landscape+portrait file ${(linked.fileBytes / MiB).toFixed(2)} MiB vs landscape alone ${(singleBytes / MiB).toFixed(2)} MiB: ${summary.linkedFileRatio.toFixed(3)}x (target <= 1.15x); ${linked.sharedWeights}/${linked.weightCount} weights shared`,
      `linked, 2 activations (landscape + portrait) vs single, 2 activations (landscape x2), after a run: RSS ${summary.linkedRssRatio.toFixed(3)}x, PSS ${summary.linkedPssRatio.toFixed(3)}x (target <= 1.15x)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const file = saveResult('program-memory', {
      benchmark: 'program-memory',
      date: new Date().toISOString(),
      machine: machine(),
      quick: QUICK,
      rounds,
      unit: 'MiB',
      programs: {
        detLandscapeBytes: singleBytes,
        detLinkedBytes: linked.fileBytes,
        linked: { weightCount: linked.weightCount, sharedWeights: linked.sharedWeights, weightBytes: linked.weightBytes, inputWeightBytes: linked.inputWeightBytes },
      },
      results,
      summary,
      targets: { rssPerExtraRatio: 0.4, linkedRatio: 1.15 },
    });
    process.stdout.write(`saved ${file}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  const plan = JSON.parse(process.argv[childAt + 1]!) as ChildPlan | LibraryPlan;
  ('library' in plan ? libraryChildMain(plan) : childMain(plan)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}

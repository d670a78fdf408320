/**
 * Memory over many runs (issue 13: "no growth over 100,000 runs"): RSS of a process that runs cls (1x3x48x192)
 * through `Session.run()` 100,000 times, on `engine: 'native'` and, for comparison, on `engine: 'worker'`.
 *
 * Each series runs in a fresh child process (node --expose-gc), so one series' heap and allocator state cannot
 * leak into another's: per engine, one child that calls `global.gc()` before every sample (what is still
 * referenced: a leak shows as a slope here) and one that never does (what a caller sees: V8 collects when it
 * wants to, so external output buffers live until then). Children run one at a time, engines alternated.
 *
 * In each child: a Session with 2 activations x 1 core, set_size 1, the engine asked for explicitly and checked
 * (`session.engine`; a native engine that did not start fails the script); 2 requests kept in flight (closed
 * loop), every run with a fresh copy of one fixed input (run() takes the buffer over) and its outputs dropped.
 * `process.memoryUsage()` (RSS, V8 heap used, external, array buffers) is sampled every runs/100 runs.
 *
 * Reported per series: RSS before the Session, after setup, after warm-up (the first 10 % of the runs) and at the
 * end; the slope of a least-squares line through the samples of the second half, in MiB per 10,000 runs (RSS, heap,
 * external), with a Theil-Sen RSS slope beside it (RSS moves in allocator steps of several MiB, which tilt a
 * least-squares line) and RSS medians per quarter of the run; and the growth over the second half the slope implies. Judged: the gc'd native series' Theil-Sen RSS
 * slope at most 0.1 MiB per 10,000 runs (about 10 bytes a run: one leaked allocation per run of any real size would show),
 * the benchmark's own reading of "no growth".
 *
 * Run: `node dist/benchmarks/native-memory.js [--quick] [--engines native,worker] [--runs N]`; quick: 10,000 runs.
 * Saves benchmarks/results/native-memory.json.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { loadNativeEngine } from '../lib/runtime/native-addon.js';
import { ENGINES, type Engine } from '../lib/runtime/engine.js';
import { MODELS, QUICK, elements, machine, saveResult } from './lib/config.js';
import { lcgFloat32, spread } from './lib/stats.js';

const MiB = 2 ** 20;
/** RSS slope bound of the gc'd native series, MiB per 10,000 runs. */
const SLOPE_LIMIT = 0.1;
const ACTIVATIONS = 2;

/** One sample of `process.memoryUsage()`, in MiB, after `runs` runs. */
interface Sample {
  runs: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** What one child reports. */
interface Series {
  engine: Engine;
  ran: Engine | undefined;
  gc: boolean;
  runs: number;
  every: number;
  warmupRuns: number;
  /** RSS before the Session was created, MiB */
  rssBeforeSession: number;
  /** after setup(), before any run */
  afterSetup: Sample;
  samples: Sample[];
  runsPerSecond: number;
}

/** A series with its fitted slopes. */
interface SeriesResult extends Omit<Series, 'samples'> {
  afterWarmup: Sample;
  end: Sample;
  /** least-squares slope over the second half, MiB per 10,000 runs */
  slopePer10k: { rss: number; heapUsed: number; external: number };
  /** RSS growth over the second half implied by that slope, MiB */
  secondHalfGrowthMiB: number;
  /**
   * the Theil-Sen RSS slope over the same samples (median of the pairwise slopes), MiB per 10,000 runs: RSS moves in
   * steps of several MiB when the allocator hands memory back or takes it again, and a step near either end of the
   * window tilts a least-squares line far more than this one
   */
  robustRssSlopePer10k: number;
  /** median RSS of each quarter of the samples, MiB: drift shows as a rise from quarter to quarter */
  rssQuarterMedians: number[];
  /** the samples, kept for plotting */
  samples: Sample[];
}

function sample(runs: number, t0: number): Sample {
  const m = process.memoryUsage();
  return { runs, seconds: (performance.now() - t0) / 1e3, rss: m.rss / MiB, heapUsed: m.heapUsed / MiB, external: m.external / MiB, arrayBuffers: m.arrayBuffers / MiB };
}

async function collect(withGc: boolean): Promise<void> {
  if (!withGc) return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('global.gc is missing: the child must run with --expose-gc');
  gc();
  // finalizers of external buffers may run on a later turn; let them, then collect what they released
  await new Promise((r) => setImmediate(r));
  gc();
}

/** In a fresh child: `runs` cls runs on `engine`, sampling every `every` runs; prints a {@link Series} as JSON. */
async function child(engine: Engine, withGc: boolean, runs: number, every: number): Promise<void> {
  const cls = MODELS.find((m) => m.key === 'cls')!;
  const template = lcgFloat32(elements(cls.shape));
  const t0 = performance.now();
  await collect(withGc);
  const rssBeforeSession = process.memoryUsage.rss() / MiB;
  const session = new Session(cls.file, { engine, num_activations: ACTIVATIONS, aic_num_cores: 1, set_size: 1 });
  await session.setup();
  if (session.engine !== engine) throw new Error(`asked for engine '${engine}', but the session runs on '${String(session.engine)}' (see the QAIC_ENGINE_FALLBACK warning)`);
  await collect(withGc);
  const afterSetup = sample(0, t0);
  const samples: Sample[] = [];
  let started = 0;
  let done = 0;
  let nextSample = every;
  // one sampler at a time: the caller that crosses a sample point waits for the sample before going on
  let sampling: Promise<void> | undefined;
  const tRuns = performance.now();
  await Promise.all(Array.from({ length: ACTIVATIONS }, async () => {
    while (started < runs) {
      started++;
      await session.run({ [cls.input]: { data: template.slice(), shape: cls.shape } });
      done++;
      if (sampling !== undefined) await sampling;
      if (done >= nextSample) {
        nextSample += every;
        const at = done;
        sampling = (async () => {
          await collect(withGc);
          samples.push(sample(at, t0));
          if (samples.length % 10 === 0) console.error(`  ${engine} ${withGc ? 'gc' : 'no-gc'}: ${at} runs, RSS ${samples.at(-1)!.rss.toFixed(1)} MiB`);
        })();
        await sampling;
        sampling = undefined;
      }
    }
  }));
  const runsPerSecond = done / ((performance.now() - tRuns) / 1e3);
  const ran = session.engine;
  await session.close();
  const series: Series = { engine, ran, gc: withGc, runs: done, every, warmupRuns: Math.round(runs / 10), rssBeforeSession, afterSetup, samples, runsPerSecond };
  process.stdout.write(JSON.stringify(series));
}

/** Least-squares slope of y against x. */
function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxy / sxx;
}

/** Theil-Sen slope of y against x: the median of the slopes between every pair of points. */
function theilSen(points: ReadonlyArray<[number, number]>): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j]![0] - points[i]![0];
      if (dx !== 0) slopes.push((points[j]![1] - points[i]![1]) / dx);
    }
  }
  return slopes.length === 0 ? Number.NaN : spread(slopes).median;
}

function analyse(s: Series): SeriesResult {
  const half = s.samples.filter((p) => p.runs >= s.runs / 2);
  const per10k = (key: 'rss' | 'heapUsed' | 'external'): number => slope(half.map((p) => [p.runs, p[key]])) * 10_000;
  const slopePer10k = { rss: per10k('rss'), heapUsed: per10k('heapUsed'), external: per10k('external') };
  const afterWarmup = s.samples.find((p) => p.runs >= s.warmupRuns) ?? s.samples[0]!;
  return {
    ...s, samples: s.samples, afterWarmup, end: s.samples.at(-1)!, slopePer10k,
    secondHalfGrowthMiB: (slopePer10k.rss * (s.runs / 2)) / 10_000,
    robustRssSlopePer10k: theilSen(half.map((p) => [p.runs, p.rss])) * 10_000,
    rssQuarterMedians: [0, 1, 2, 3].map((q) => spread(s.samples.filter((_, i) => Math.floor((4 * i) / s.samples.length) === q).map((p) => p.rss)).median),
  };
}

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const engines = (argValue('--engines') ?? ENGINES.join(',')).split(',') as Engine[];
  for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`--engines: '${e}' is not one of ${ENGINES.join(', ')}`);
  if (engines.includes('native')) {
    const loaded = loadNativeEngine();
    if ('reason' in loaded) throw new Error(`the native engine does not load, so its memory cannot be measured: ${loaded.reason}`);
  }
  const runs = Number(argValue('--runs') ?? (QUICK ? 10_000 : 100_000));
  if (!Number.isInteger(runs) || runs < 200) throw new Error(`--runs must be an integer >= 200, got '${String(argValue('--runs'))}'`);
  const every = Math.max(1, Math.round(runs / 100));
  const self = fileURLToPath(import.meta.url);
  const before = loadavg();
  const series: SeriesResult[] = [];
  // gc'd series first (the judged ones), engines alternated
  for (const withGc of [true, false]) {
    for (const engine of engines) {
      console.error(`${engine} engine, ${withGc ? 'gc before each sample' : 'no gc'}: ${runs} cls runs, ${ACTIVATIONS} activations`);
      const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', engine, withGc ? 'gc' : 'no-gc', String(runs), String(every)], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000, maxBuffer: 64 * MiB,
      });
      if (r.status !== 0) throw new Error(`the ${engine} ${withGc ? 'gc' : 'no-gc'} child failed (status ${String(r.status)}, signal ${String(r.signal)})${r.error ? `: ${r.error.message}` : ''}`);
      series.push(analyse(JSON.parse(r.stdout) as Series));
    }
  }
  const f = (x: number): string => x.toFixed(1);
  console.log(`\nRSS over ${runs} cls ${MODELS.find((m) => m.key === 'cls')!.shape.join('x')} runs through Session.run(), ${ACTIVATIONS} activations, MiB (slopes: least squares over the second half, MiB per 10,000 runs)`);
  console.log('| engine | gc before sample | before Session | after setup | after warm-up | end | RSS slope | RSS slope (Theil-Sen) | heap slope | external slope | 2nd-half growth | RSS median per quarter | runs/s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of series) {
    console.log(`| ${s.engine} | ${s.gc ? 'yes' : 'no'} | ${f(s.rssBeforeSession)} | ${f(s.afterSetup.rss)} | ${f(s.afterWarmup.rss)} (${s.afterWarmup.runs} runs) | ${f(s.end.rss)} | ${s.slopePer10k.rss.toFixed(3)} | ${s.robustRssSlopePer10k.toFixed(3)} | ${s.slopePer10k.heapUsed.toFixed(3)} | ${s.slopePer10k.external.toFixed(3)} | ${s.secondHalfGrowthMiB.toFixed(2)} | ${s.rssQuarterMedians.map(f).join(' / ')} | ${s.runsPerSecond.toFixed(0)} |`);
  }
  const judged = series.find((s) => s.engine === 'native' && s.gc);
  const met = judged === undefined ? undefined : judged.robustRssSlopePer10k <= SLOPE_LIMIT;
  const target = `native engine, gc before each sample: Theil-Sen RSS slope over the second half <= ${SLOPE_LIMIT} MiB per 10,000 runs`;
  if (judged !== undefined) console.log(`target: ${target}: ${met ? 'met' : 'NOT met'} (${judged.robustRssSlopePer10k.toFixed(3)}; least squares ${judged.slopePer10k.rss.toFixed(3)})`);
  const file = saveResult('native-memory', {
    benchmark: 'native-memory', machine: machine(), quick: QUICK, date: new Date().toISOString(), loadavgBefore: before, loadavgAfter: loadavg(),
    model: 'cls', runs, every, activations: ACTIVATIONS, series, target, met,
  });
  console.log(`saved ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--child');
  if (at >= 0) await child(process.argv[at + 1] as Engine, process.argv[at + 2] === 'gc', Number(process.argv[at + 3]), Number(process.argv[at + 4]));
  else await main();
}

/**
 * Benchmark 4: the physical limit. The machine's measured peak multiply-accumulate rate (a large float32 MatMul
 * through onnxruntime on the same cores: the best repetition of one session with all cores and of one
 * single-thread session per core), and each model's multiply-accumulates per inference from the compile report, so that
 * `achieved MAC/s = MACs per inference x inferences per second` can be set against the peak.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { compile } from '../lib/compiler/compile.js';
import { machineCores } from '../lib/options.js';
import { encodeModel } from '../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../lib/onnx/builder.js';
import { MODELS, QUICK, machine, saveResult } from './lib/config.js';
import { lcgFloat32, spread, type Spread } from './lib/stats.js';
import { PlainWorker } from './lib/plain-client.js';

/** Peak and per-model MAC figures. */
export interface PeakResult {
  matmul: { m: number; k: number; n: number; macsPerRun: number };
  cores: number;
  /** GMAC/s per repetition and spread, for each layout */
  gmacPerSec: { allCoresOneSession: Spread; oneSessionPerCore: Spread };
  peakGmacPerSec: number;
  /** MACs per inference by model key, from the compile report */
  modelMacs: Record<string, { total: number; byOperator: Record<string, number>; method: string }>;
}

const M = 1024;
const K = 1024;
const N = 1024;

function matmulModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-peak-'));
  const file = join(dir, 'matmul.onnx');
  const m = model(graph({
    nodes: [node('MatMul', ['a', 'b'], ['c'])],
    inputs: [tensorInfo('a', 'float32', [M, K])],
    outputs: [tensorInfo('c', 'float32', [M, N])],
    initializers: [initializer('b', 'float32', [K, N], lcgFloat32(K * N, 7))],
  }));
  writeFileSync(file, encodeModel(m));
  return file;
}

async function timed(runs: number, body: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await body();
  return (performance.now() - t0) / 1000;
}

/** Measure the peak and count the models' MACs. */
export async function benchPeak(quick = QUICK): Promise<PeakResult> {
  const cores = machineCores();
  const file = matmulModel();
  const a = lcgFloat32(M * K, 3);
  const macsPerRun = M * K * N;
  const runs = quick ? 10 : 30;
  const reps = quick ? 3 : 5;

  const one = await ort.InferenceSession.create(file, { intraOpNumThreads: cores, interOpNumThreads: 1 });
  const workers = await Promise.all(Array.from({ length: cores }, () => PlainWorker.start({ mode: 'ort', model: file, input: 'a', shape: [M, K], intraOpNumThreads: 1 })));
  const all: number[] = [];
  const per: number[] = [];
  const runAll = async (): Promise<number> => {
    const s = await timed(runs, async () => { await one.run({ a: new ort.Tensor('float32', a.slice(), [M, K]) }); });
    return (runs * macsPerRun) / s / 1e9;
  };
  const runPer = async (): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(workers.map(async (w) => { for (let i = 0; i < runs; i++) await w.run(a.slice()); }));
    return (cores * runs * macsPerRun) / ((performance.now() - t0) / 1000) / 1e9;
  };
  await runAll();
  await runPer();
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) { all.push(await runAll()); per.push(await runPer()); } else { per.push(await runPer()); all.push(await runAll()); }
  }
  await one.release();
  await Promise.all(workers.map((w) => w.stop()));

  const modelMacs: PeakResult['modelMacs'] = {};
  for (const m of MODELS) {
    const session = await ort.InferenceSession.create(m.file);
    const inputMeta = (session as unknown as { inputMetadata: Array<{ shape?: Array<number | string> }> }).inputMetadata;
    await session.release();
    // fix the model's symbolic dims to the benchmarked shape so the compile report counts MACs at that shape
    const symbols: Record<string, number> = {};
    (inputMeta[0]?.shape ?? []).forEach((d, i) => { if (typeof d === 'string') symbols[d] = m.shape[i]!; });
    const out = mkdtempSync(join(tmpdir(), `qaic-peak-${m.key}-`));
    const compiled = await compile(m.file, { onnx_define_symbol: symbols, output_dir: out });
    modelMacs[m.key] = { total: compiled.report.macs.total, byOperator: compiled.report.macs.byOperator, method: compiled.report.macs.method };
  }
  const gmacPerSec = { allCoresOneSession: spread(all), oneSessionPerCore: spread(per) };
  return {
    matmul: { m: M, k: K, n: N, macsPerRun }, cores, gmacPerSec,
    // a peak is the best the machine did: other load only ever lowers a repetition, so take the maximum
    peakGmacPerSec: Math.max(gmacPerSec.allCoresOneSession.max, gmacPerSec.oneSessionPerCore.max),
    modelMacs,
  };
}

/** Print the peak and MAC counts. */
export function printPeak(r: PeakResult): void {
  console.log(`peak: ${r.matmul.m}x${r.matmul.k}x${r.matmul.n} float32 MatMul: one session, ${r.cores} threads ${r.gmacPerSec.allCoresOneSession.median.toFixed(1)} GMAC/s median (max ${r.gmacPerSec.allCoresOneSession.max.toFixed(1)}); ` +
    `one session per core ${r.gmacPerSec.oneSessionPerCore.median.toFixed(1)} GMAC/s median (max ${r.gmacPerSec.oneSessionPerCore.max.toFixed(1)}) -> peak (best repetition) ${r.peakGmacPerSec.toFixed(1)} GMAC/s`);
  for (const [k, v] of Object.entries(r.modelMacs)) console.log(`  ${k}: ${(v.total / 1e9).toFixed(3)} GMAC per inference (${v.method})`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const r = await benchPeak();
  printPeak(r);
  console.log(saveResult('peak', { machine: machine(), quick: QUICK, date: new Date().toISOString(), result: r }));
}

/**
 * float32 vs float16 programs, side by side: `node dist/benchmarks/fp16.js [--quick]`.
 *
 * For PP-OCRv4 det (1x3x256x384) and the mobile classifier (1x3x48x192): compile a float32 and a
 * `convert_to_fp16` program, then measure
 * - size: program file bytes and weight-section bytes;
 * - latency: `Session.run()` on one activation (1 core), the two sessions alive together and called in alternating
 *   order (interleaved, so machine noise hits both alike), median and p10/p90 in ms;
 * - RSS: resident memory of a fresh process after it activated the program and ran 5 inferences, minus the same
 *   process before creating the session (each measured in its own child process, median of 3);
 * - accuracy of the float16 program against the float32 one on the benchmark input (relative L2 error; det reads
 *   a synthetic page, cls pseudo-random values).
 * Also plain onnxruntime-node on the float16 model straight out of the pass at graph optimization 'all', which folds
 * the weight casts at load: the floor a float16 program could reach on this CPU.
 * Whichever wins is reported as measured. Results: benchmarks/results/fp16.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { compile } from '../lib/compiler/compile.js';
import { stopCompileWorker } from '../lib/compiler/optimizer.js';
import { compareOutput, convertToFp16 } from '../lib/compiler/fp16/index.js';
import { encodeModel, readModelFile } from '../lib/onnx/model.js';
import { openProgram } from '../lib/program/index.js';
import { Session } from '../lib/session.js';
import { MODELS, QUICK, elements, machine, pause, saveResult, type BenchModel } from './lib/config.js';
import { lcgFloat32, ratio, rotate, spread, type Spread } from './lib/stats.js';
import { syntheticPage } from '../test/fixtures/synthetic-page.js';

const SELF = fileURLToPath(import.meta.url);

/** Child-process mode: activate one program, run 5 inferences, print the RSS growth in bytes. */
async function rssChild(programPath: string, input: string, shape: number[]): Promise<void> {
  const data = lcgFloat32(elements(shape), 7);
  const before = process.memoryUsage().rss;
  const session = new Session(programPath, { num_activations: 1 });
  for (let i = 0; i < 5; i++) await session.run({ [input]: { data: data.slice(), shape } });
  const after = process.memoryUsage().rss;
  await session.close();
  process.stdout.write(JSON.stringify({ rssGrowth: after - before, rss: after }));
}

function measureRss(programPath: string, model: BenchModel): number {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [SELF, '--rss-child', programPath, model.input, JSON.stringify(model.shape)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`RSS child failed: ${r.stderr}`);
    samples.push((JSON.parse(r.stdout) as { rssGrowth: number }).rssGrowth);
  }
  return spread(samples).median;
}

interface Fp16BenchResult {
  model: string;
  shape: number[];
  rounds: number;
  bytes: { fp32File: number; fp16File: number; fp32Weights: number; fp16Weights: number; weightRatio: number; fileRatio: number };
  latencyMs: { fp32: Spread; fp16: Spread; fp16OverFp32: number; plainOrtFp32: Spread; plainOrtFp16AtAll: Spread };
  rssBytes: { fp32: number; fp16: number; fp16OverFp32: number };
  accuracy: { relativeL2: number; maxAbs: number };
  winner: { latency: string; size: string; rss: string };
}

function winner(fp16: number, fp32: number): string {
  if (Math.abs(fp16 / fp32 - 1) < 0.02) return 'tie';
  return fp16 < fp32 ? 'fp16' : 'fp32';
}

async function benchModel(model: BenchModel, work: string): Promise<Fp16BenchResult> {
  const symbols: Record<string, number> = {};
  const raw = readModelFile(model.file).model;
  (raw.graph?.input?.[0]?.type?.tensor_type?.shape?.dim ?? []).forEach((d, k) => { if (d.dim_param) symbols[d.dim_param] = model.shape[k]!; });
  const fp32 = await compile(model.file, { output_dir: join(work, `${model.key}-fp32`), onnx_define_symbol: symbols });
  const fp16 = await compile(model.file, { output_dir: join(work, `${model.key}-fp16`), onnx_define_symbol: symbols, convert_to_fp16: true });
  const [p32, p16] = [await openProgram(fp32.programPath), await openProgram(fp16.programPath)];
  const bytes = {
    fp32File: statSync(fp32.programPath).size, fp16File: statSync(fp16.programPath).size,
    fp32Weights: p32.weightBytes, fp16Weights: p16.weightBytes,
    weightRatio: ratio(p16.weightBytes, p32.weightBytes), fileRatio: ratio(statSync(fp16.programPath).size, statSync(fp32.programPath).size),
  };

  // Plain onnxruntime on the source model and on the pass's output (static dims), optimization 'all', 1 thread.
  const fixed = structuredClone(raw);
  fixed.graph!.input![0]!.type!.tensor_type!.shape = { dim: model.shape.map((d) => ({ dim_value: d })) };
  const plainOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  const plain32 = await ort.InferenceSession.create(encodeModel(fixed), plainOptions);
  const plain16 = await ort.InferenceSession.create(encodeModel(convertToFp16(fixed).model), plainOptions);

  const s32 = new Session(fp32.programPath, { num_activations: 1 });
  const s16 = new Session(fp16.programPath, { num_activations: 1 });
  // The detector sees a synthetic page (random noise makes its output all but zero, which measures nothing).
  const x = model.key === 'det' ? syntheticPage(model.shape[2]!, model.shape[3]!) : lcgFloat32(elements(model.shape), 7);
  const feed = () => ({ [model.input]: { data: x.slice(), shape: model.shape } });
  const o32 = await s32.run(feed());
  const o16 = await s16.run(feed());
  const outName = Object.keys(o32)[0]!;
  const acc = compareOutput(outName, o32[outName]!.shape as number[], Float64Array.from(o32[outName]!.data as Float32Array), Float64Array.from(o16[outName]!.data as Float32Array));

  const rounds = QUICK ? 20 : model.key === 'det' ? 60 : 200;
  const variants: Array<[string, () => Promise<unknown>]> = [
    ['fp32', () => s32.run(feed())],
    ['fp16', () => s16.run(feed())],
    ['plainOrtFp32', () => plain32.run({ [model.input]: new ort.Tensor('float32', x.slice(), model.shape) })],
    ['plainOrtFp16AtAll', () => plain16.run({ [model.input]: new ort.Tensor('float32', x.slice(), model.shape) })],
  ];
  for (const [, run] of variants) for (let i = 0; i < 3; i++) await run();
  const samples: Record<string, number[]> = Object.fromEntries(variants.map(([k]) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, run] of rotate(variants, r)) {
      const t0 = performance.now();
      await run();
      samples[k]!.push(performance.now() - t0);
    }
  }
  await s32.close();
  await s16.close();
  await plain32.release();
  await plain16.release();
  await pause();
  const rss = { fp32: measureRss(fp32.programPath, model), fp16: measureRss(fp16.programPath, model), fp16OverFp32: 0 };
  rss.fp16OverFp32 = ratio(rss.fp16, rss.fp32);
  const latencyMs = {
    fp32: spread(samples['fp32']!), fp16: spread(samples['fp16']!), fp16OverFp32: 0,
    plainOrtFp32: spread(samples['plainOrtFp32']!), plainOrtFp16AtAll: spread(samples['plainOrtFp16AtAll']!),
  };
  latencyMs.fp16OverFp32 = ratio(latencyMs.fp16.median, latencyMs.fp32.median);
  return {
    model: model.key, shape: model.shape, rounds, bytes, latencyMs, rssBytes: rss,
    accuracy: { relativeL2: acc.relativeL2Error, maxAbs: acc.maxAbsError },
    // Differences under 2 % are called a tie: they are below what these shared 2-core machines reproduce.
    winner: { latency: winner(latencyMs.fp16.median, latencyMs.fp32.median), size: winner(bytes.fp16File, bytes.fp32File), rss: winner(rss.fp16, rss.fp32) },
  };
}

export async function main(): Promise<Fp16BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'qaic-bench-fp16-'));
  const results: Fp16BenchResult[] = [];
  // The machine's load before and after: latency figures from a loaded machine say little, whichever side wins.
  const loadBefore = loadavg();
  try {
    for (const model of MODELS) {
      const r = await benchModel(model, work);
      results.push(r);
      const ms = (s: Spread) => `${s.median.toFixed(2)} ms (p10 ${s.p10.toFixed(2)}, p90 ${s.p90.toFixed(2)})`;
      console.log(`\n${r.model} ${r.shape.join('x')}, ${r.rounds} interleaved rounds       float32            float16`);
      console.log(`  program file             ${String(r.bytes.fp32File).padStart(12)}  ${String(r.bytes.fp16File).padStart(12)}  (${r.bytes.fileRatio}x)`);
      console.log(`  weight bytes             ${String(r.bytes.fp32Weights).padStart(12)}  ${String(r.bytes.fp16Weights).padStart(12)}  (${r.bytes.weightRatio}x)`);
      console.log(`  Session.run latency      ${ms(r.latencyMs.fp32)}  vs  ${ms(r.latencyMs.fp16)}  (${r.latencyMs.fp16OverFp32}x)`);
      console.log(`  plain ort, level all     ${ms(r.latencyMs.plainOrtFp32)}  vs  ${ms(r.latencyMs.plainOrtFp16AtAll)}`);
      console.log(`  RSS growth               ${(r.rssBytes.fp32 / 2 ** 20).toFixed(1)} MiB  vs  ${(r.rssBytes.fp16 / 2 ** 20).toFixed(1)} MiB  (${r.rssBytes.fp16OverFp32}x)`);
      console.log(`  float16 vs float32       relative L2 ${r.accuracy.relativeL2.toExponential(2)}, max abs ${r.accuracy.maxAbs.toExponential(2)}`);
      console.log(`  winner                   latency ${r.winner.latency}, size ${r.winner.size}, RSS ${r.winner.rss}`);
    }
    const load = { before: loadBefore, after: loadavg() };
    console.log(`\nload average (1/5/15 min) before ${load.before.map((l) => l.toFixed(1)).join('/')}, after ${load.after.map((l) => l.toFixed(1)).join('/')} on ${machine()['cores']} cores`);
    const file = saveResult('fp16', { machine: machine(), quick: QUICK, onnxruntime: ort.env.versions.common, loadAverage: load, results });
    console.log(`\nsaved ${file}`);
    return results;
  } finally {
    await stopCompileWorker();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--rss-child')) {
  const i = process.argv.indexOf('--rss-child');
  await rssChild(process.argv[i + 1]!, process.argv[i + 2]!, JSON.parse(process.argv[i + 3]!) as number[]);
} else if (process.argv[1] === SELF) {
  await main();
}

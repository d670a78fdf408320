/**
 * Time per compute unit (issue 17): PP-OCR cls (1x3x48x192) through a Session on each unit this host has
 * (`availableComputeUnits()`): `compute_unit: 'cpu'` and, when a GPU is found, `['gpu', 'cpu']`, runs interleaved
 * (order rotated every round). The first run of each session is kept apart: on a GPU it includes shader compilation
 * (seconds on a software Vulkan device, less once Mesa's shader cache has them). Also records the placement totals.
 * On lavapipe (a software Vulkan device) the GPU figures say how slow emulation is, not what a GPU does.
 *
 * Where a GPU is found it also records issue 17's det evidence: PP-OCRv4 det (1x3x256x384, its symbols fixed) on a
 * synthetic text page, `['gpu', 'cpu']` against `'cpu'` (largest absolute difference of the map, and the placement's
 * totals), and a forced split, `compute_unit_for_nodes: { cpu: ['Sigmoid'] }` (the head's sigmoid on the CPU):
 * its subnets and the copies between them, as `session.placement` reports them.
 *
 * Run: `node dist/benchmarks/compute-units.js [--quick]`; saves `benchmarks/results/compute-units.json`.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { availableComputeUnits } from '../lib/runtime/compute-units.js';
import { nowNs } from '../lib/runtime/clock.js';
import { textPage } from '../examples/support.js';
import { MODELS, QUICK, elements, machine, saveResult } from './lib/config.js';
import { lcgFloat32, rotate, spread, type Spread } from './lib/stats.js';

/** What one compute_unit setting measured. */
export interface UnitResult {
  computeUnit: string[];
  /** onnxruntime provider of the GPU, when used */
  provider?: string;
  /** milliseconds of setup() (load and placement measurement) */
  setupMs: number;
  /** milliseconds of the first run() after setup */
  firstRunMs: number;
  /** per later run(), milliseconds */
  runMs: Spread;
  /** the placement's totals, when measured */
  totals?: unknown;
}

/** det on the GPU against the CPU, and with its sigmoid forced onto the CPU. */
export interface DetGpuEvidence {
  /** largest |map(gpu, cpu) - map(cpu)| over the 1x1x256x384 map */
  maxAbsDiff: number;
  /** placement totals of `['gpu', 'cpu']` */
  totals: unknown;
  /** the forced split: each subnet's unit and node count, and every copy between units */
  forced: { subnets: Array<{ unit: string; nodes: number; firstNode: string; lastNode: string }>; copies: Array<{ from: string; to: string; node: string; shape: readonly number[]; bytes: number }>; maxAbsDiff: number };
}

/** Run det once on `compute_unit` (and `compute_unit_for_nodes`) and return its map and placement. */
async function detOnce(options: Record<string, unknown>, input: Float32Array): Promise<{ map: Float32Array; placement: Session['placement'] }> {
  const m = MODELS.find((x) => x.key === 'det')!;
  const symbols: Record<string, number> = {};
  const probe = new Session(m.file, { compile: false });
  probe.modelInputShapeDict[m.input]![0].forEach((d, i) => { if (typeof d === 'string') symbols[d] = m.shape[i]!; });
  await probe.close();
  const session = new Session(m.file, { ...options, onnx_define_symbol: symbols } as never);
  try {
    const out = await session.run({ [m.input]: { data: input.slice(), shape: m.shape } });
    const first = Object.values(out)[0]!;
    return { map: first.data as Float32Array, placement: session.placement };
  } finally {
    await session.close();
  }
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Issue 17's det evidence, where a GPU is found. */
export async function detGpuEvidence(): Promise<DetGpuEvidence> {
  const page = textPage(256, 384);
  const cpu = await detOnce({ compute_unit: 'cpu' }, page.input);
  const gpu = await detOnce({ compute_unit: ['gpu', 'cpu'] }, page.input);
  const split = await detOnce({ compute_unit: ['gpu', 'cpu'], compute_unit_for_nodes: { cpu: ['Sigmoid'] } }, page.input);
  const report = split.placement!;
  return {
    maxAbsDiff: maxAbs(gpu.map, cpu.map),
    totals: gpu.placement?.totals,
    forced: {
      subnets: report.subnets.map((s) => ({ unit: s.unit, nodes: s.nodes.length, firstNode: s.nodes[0]?.name ?? '', lastNode: s.nodes.at(-1)?.name ?? '' })),
      copies: report.copies.map((c) => ({ from: c.from, to: c.to, node: c.node, shape: c.shape, bytes: c.bytes })),
      maxAbsDiff: maxAbs(split.map, cpu.map),
    },
  };
}

/** Measure cls on every unit this host has. */
export async function benchComputeUnits(quick = QUICK): Promise<{ rounds: number; gpuMissing?: string; results: UnitResult[] }> {
  const m = MODELS.find((x) => x.key === 'cls')!;
  const found = await availableComputeUnits();
  const settings: string[][] = [['cpu']];
  if (found.status.gpu.available) settings.push(['gpu', 'cpu']);
  const rounds = quick ? 10 : 40;
  const template = lcgFloat32(elements(m.shape));
  const sessions = settings.map((cu) => new Session(m.file, { compute_unit: cu as never }));
  const results: UnitResult[] = [];
  const samples: number[][] = settings.map(() => []);
  for (const [i, s] of sessions.entries()) {
    const t0 = nowNs();
    await s.setup();
    const t1 = nowNs();
    await s.run({ [m.input]: { data: template.slice(), shape: m.shape } });
    const t2 = nowNs();
    results.push({ computeUnit: settings[i]!, setupMs: (t1 - t0) / 1e6, firstRunMs: (t2 - t1) / 1e6, runMs: spread([0]), ...(s.placement === undefined ? {} : { totals: s.placement.totals }) });
    if (settings[i]!.includes('gpu')) results[i]!.provider = found.status.gpu.provider!;
  }
  for (let r = 0; r < rounds; r++) {
    for (const i of rotate(settings.map((_, k) => k), r)) {
      const data = template.slice();
      const t0 = nowNs();
      await sessions[i]!.run({ [m.input]: { data, shape: m.shape } });
      samples[i]!.push((nowNs() - t0) / 1e6);
    }
  }
  for (const [i, s] of sessions.entries()) {
    results[i]!.runMs = spread(samples[i]!);
    await s.close();
  }
  return { rounds, ...(found.status.gpu.available ? {} : { gpuMissing: found.status.gpu.reason! }), results };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const before = loadavg();
  const out = await benchComputeUnits();
  const f = (s: Spread): string => `${s.median.toFixed(2)} ms (p10 ${s.p10.toFixed(2)}, p90 ${s.p90.toFixed(2)})`;
  for (const r of out.results) {
    console.log(`cls on ${r.computeUnit.join(',')}${r.provider === undefined ? '' : ` (${r.provider})`}: setup ${r.setupMs.toFixed(0)} ms, first run ${r.firstRunMs.toFixed(1)} ms (kept apart), later runs ${f(r.runMs)}`);
  }
  if (out.gpuMissing !== undefined) console.log(`no GPU: ${out.gpuMissing}`);
  const det = out.gpuMissing === undefined ? await detGpuEvidence() : undefined;
  if (det !== undefined) {
    console.log(`det on gpu,cpu vs cpu: max |diff| ${det.maxAbsDiff.toExponential(2)}; totals ${JSON.stringify(det.totals)}`);
    console.log(`det with Sigmoid forced onto the CPU: max |diff| ${det.forced.maxAbsDiff.toExponential(2)}; ${det.forced.subnets.length} subnets: ${det.forced.subnets.map((s) => `${s.unit} x${s.nodes} (${s.firstNode} .. ${s.lastNode})`).join(', ')}`);
    for (const c of det.forced.copies) console.log(`  copy ${c.from} -> ${c.to} (${c.node}): [${c.shape.join(', ')}] ${c.bytes} bytes`);
  }
  const file = saveResult('compute-units', { machine: machine(), quick: QUICK, loadavgBefore: before, loadavgAfter: loadavg(), ...out, ...(det === undefined ? {} : { det }) });
  console.log(`saved ${file}`);
}

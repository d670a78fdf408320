/**
 * Time per compute unit (issue 17): PP-OCR cls (1x3x48x192) through a Session on each unit this host has
 * (`availableComputeUnits()`): `compute_unit: 'cpu'` and, when a GPU is found, `['gpu', 'cpu']`, runs interleaved
 * (order rotated every round). The first run of each session is kept apart: on a GPU it includes shader compilation
 * (seconds on a software Vulkan device, less once Mesa's shader cache has them). Also records the placement totals.
 * On lavapipe (a software Vulkan device) the GPU figures say how slow emulation is, not what a GPU does.
 *
 * Run: `node dist/benchmarks/compute-units.js [--quick]`; saves `benchmarks/results/compute-units.json`.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { availableComputeUnits } from '../lib/runtime/compute-units.js';
import { nowNs } from '../lib/runtime/clock.js';
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
  const file = saveResult('compute-units', { machine: machine(), quick: QUICK, loadavgBefore: before, loadavgAfter: loadavg(), ...out });
  console.log(`saved ${file}`);
}

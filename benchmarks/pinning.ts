/**
 * Core pinning on vs off: the same session layout (one activation per core, one request in flight each, det at
 * 1x3x256x384), one session pinned (`pin_cores: true`) and one not, alternated every repetition. Reports
 * latency P50/P99 and throughput of each, so the default can follow the measurement.
 */
import { pathToFileURL } from 'node:url';
import { Session } from '../lib/session.js';
import { machineCores } from '../lib/options.js';
import { loadAffinity } from '../lib/runtime/affinity.js';
import { MODELS, QUICK, elements, machine, pause, saveResult } from './lib/config.js';
import { lcgFloat32, ratio, spread, type Spread } from './lib/stats.js';

/** Pinning figures. */
export interface PinningResult {
  available: boolean;
  reason?: string;
  layout?: { num_activations: number; aic_num_cores: number; set_size: number };
  reps?: number;
  seconds?: number;
  pinned?: { latencyMs: Spread; infPerSec: Spread };
  unpinned?: { latencyMs: Spread; infPerSec: Spread };
  p50Ratio?: number;
  p99Ratio?: number;
  throughputRatio?: number;
}

/** Measure pinned against unpinned sessions. */
export async function benchPinning(quick = QUICK): Promise<PinningResult> {
  const pinning = loadAffinity();
  if (!pinning.available) return { available: false, reason: pinning.reason };
  const m = MODELS.find((x) => x.key === 'det')!;
  const cores = machineCores();
  const layout = { num_activations: cores, aic_num_cores: 1, set_size: 1 };
  const template = lcgFloat32(elements(m.shape));
  const sessions = {
    pinned: new Session(m.file, { ...layout, pin_cores: true }),
    unpinned: new Session(m.file, { ...layout, pin_cores: false }),
  };
  await sessions.pinned.setup();
  await sessions.unpinned.setup();
  const seconds = quick ? 2 : 6;
  const reps = quick ? 4 : 8;
  const lat: Record<string, number[]> = { pinned: [], unpinned: [] };
  const rates: Record<string, number[]> = { pinned: [], unpinned: [] };
  for (let rep = -1; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['pinned', 'unpinned'] as const : ['unpinned', 'pinned'] as const;
    for (const name of order) {
      const s = sessions[name];
      const start = performance.now();
      const deadline = start + (rep < 0 ? 0.5 : seconds) * 1000;
      let n = 0;
      let last = start;
      const l: number[] = [];
      await Promise.all(Array.from({ length: cores }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await s.run({ [m.input]: { data: template.slice(), shape: m.shape } });
          last = performance.now();
          l.push(last - t0);
          n++;
        }
      }));
      if (rep >= 0) { lat[name]!.push(...l); rates[name]!.push(n / ((last - start) / 1000)); }
      await pause(100);
    }
  }
  await sessions.pinned.close();
  await sessions.unpinned.close();
  const pinned = { latencyMs: spread(lat['pinned']!), infPerSec: spread(rates['pinned']!) };
  const unpinned = { latencyMs: spread(lat['unpinned']!), infPerSec: spread(rates['unpinned']!) };
  return {
    available: true, layout, reps, seconds, pinned, unpinned,
    p50Ratio: ratio(pinned.latencyMs.median, unpinned.latencyMs.median),
    p99Ratio: ratio(pinned.latencyMs.p99, unpinned.latencyMs.p99),
    throughputRatio: ratio(pinned.infPerSec.median, unpinned.infPerSec.median),
  };
}

/** Print the comparison. */
export function printPinning(r: PinningResult): void {
  if (!r.available) {
    console.log(`pinning: off (${r.reason})`);
    return;
  }
  const f = (x: { latencyMs: Spread; infPerSec: Spread }): string => `P50 ${x.latencyMs.median.toFixed(2)} ms, P99 ${x.latencyMs.p99.toFixed(2)} ms, ${x.infPerSec.median.toFixed(1)} inf/s (${x.infPerSec.min.toFixed(1)}-${x.infPerSec.max.toFixed(1)})`;
  console.log(`pinning det ${JSON.stringify(r.layout)}: pinned ${f(r.pinned!)}; unpinned ${f(r.unpinned!)}; pinned/unpinned P50 ${r.p50Ratio}x P99 ${r.p99Ratio}x throughput ${r.throughputRatio}x`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const r = await benchPinning();
  printPinning(r);
  console.log(saveResult('pinning', { machine: machine(), quick: QUICK, date: new Date().toISOString(), result: r }));
}

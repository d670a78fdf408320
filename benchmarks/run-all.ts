/**
 * `npm run bench`: every benchmark in one command, a summary table printed, JSON saved to
 * `benchmarks/results/run-all.json` (and each part's own JSON beside it).
 *
 * `QAIC_BENCH_QUICK=1 npm run bench` (or `-- --quick`) shortens every phase to fit a few minutes on 2 cores.
 * The event-loop, activation-time and program-memory benchmarks are separate scripts; they run here as child
 * processes when they exist, and their saved JSON is folded into the summary (`--skip-others` leaves them out).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { benchDispatch, printDispatch } from './dispatch.js';
import { ENGINES_MEASURED, benchThroughput, printThroughput } from './throughput.js';
import { benchPeak, printPeak } from './peak.js';
import { QUICK, machine, saveResult } from './lib/config.js';
import { loadAffinity } from '../lib/runtime/affinity.js';

const OTHERS = ['event-loop', 'activation-time', 'program-memory', 'pinning', 'rate-vs-wall-clock', 'onnx-codec', 'isolation', 'native-memory'] as const;

function runOther(name: string): { ran: boolean; status?: number | null; stdout?: string; json?: unknown } {
  const script = join(process.cwd(), 'dist', 'benchmarks', `${name}.js`);
  if (!existsSync(script)) return { ran: false };
  const env = { ...process.env, ...(QUICK ? { QAIC_BENCH_QUICK: '1' } : {}) };
  const r = spawnSync(process.execPath, [script, ...(QUICK ? ['--quick'] : [])], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  process.stdout.write(r.stdout ?? '');
  const file = join(process.cwd(), 'benchmarks', 'results', `${name}.json`);
  const json = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as unknown : undefined;
  return { ran: true, status: r.status, stdout: r.stdout, json };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, j) => {
    const line = '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
    return j === 0 ? `${line}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : line;
  }).join('\n');
}

const started = new Date().toISOString();
const loadBefore = loadavg();
console.log(`qaic benchmarks (${QUICK ? 'quick' : 'full'} mode) on ${JSON.stringify(machine())}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
const pinning = loadAffinity();
console.log(`pinning: ${pinning.available ? 'addon loaded' : `off (${pinning.reason})`}`);

const dispatch = await benchDispatch(QUICK);
printDispatch(dispatch);
const throughput = await benchThroughput(QUICK);
printThroughput(throughput);
const peak = await benchPeak(QUICK);
printPeak(peak);
const others: Record<string, unknown> = {};
const skipOthers = process.argv.includes('--skip-others');
for (const name of OTHERS) {
  if (skipOthers && name !== 'pinning') {
    others[name] = 'skipped (--skip-others)';
    continue;
  }
  const r = runOther(name);
  others[name] = r.ran ? { status: r.status, result: r.json } : 'not present';
}

const by = <T extends { model: string }>(list: readonly T[], key: string): T => list.find((r) => r.model === key)!;
const rows: string[][] = [['figure', 'det 1x3x256x384', 'cls 1x3x48x192', 'target', 'met']];
const d = { det: by(dispatch, 'det'), cls: by(dispatch, 'cls') };
const t = { det: by(throughput, 'det'), cls: by(throughput, 'cls') };
const us = (s: { median: number; p10: number; p90: number }): string => `${s.median.toFixed(0)} us (p10-p90 ${s.p10.toFixed(0)}-${s.p90.toFixed(0)})`;
rows.push(['dispatch: qaic run() minus ORT run', us(d.det.us.qaic), us(d.cls.us.qaic), '', '']);
rows.push(['dispatch: hand-written ORT worker', us(d.det.us.plain), us(d.cls.us.plain), '', '']);
rows.push(['dispatch: bare worker echo', us(d.det.us.echo), us(d.cls.us.echo), '', '']);
rows.push(['dispatch: echo after idle (wake-up floor)', us(d.det.us.echoIdle), us(d.cls.us.echoIdle), '', '']);
rows.push(['dispatch ratio qaic / echo', `${d.det.qaicOverEcho}x`, `${d.cls.qaicOverEcho}x`, '<= 1.3x', `${d.det.met ? 'yes' : 'NO'} / ${d.cls.met ? 'yes' : 'NO'}`]);
rows.push(['dispatch ratio qaic / echo after idle', `${d.det.qaicOverEchoIdle}x`, `${d.cls.qaicOverEchoIdle}x`, '', '']);
rows.push(['dispatch ratio qaic / hand-written', `${d.det.qaicOverPlain}x`, `${d.cls.qaicOverPlain}x`, '', '']);
const rate = (r: (typeof t)['det'], name: string): string => {
  const v = r.infPerSec[name]!;
  return `${v.spread.median.toFixed(1)} inf/s (${v.spread.min.toFixed(1)}-${v.spread.max.toFixed(1)})`;
};
for (const name of t.det.variants) rows.push([`throughput: ${name}`, rate(t.det, name), rate(t.cls, name), '', '']);
for (const engine of ENGINES_MEASURED) {
  const e = { det: t.det.engines[engine], cls: t.cls.engines[engine] };
  const over = (x: { ratio: number; min: number; max: number }): string => `${x.ratio}x (${x.min}-${x.max})`;
  const target = engine === 'native' ? '>= 1.0x' : '';
  const met = engine === 'native' ? `${e.det.met ? 'yes' : 'NO'} / ${e.cls.met ? 'yes' : 'NO'}` : '';
  rows.push([`${engine} engine configured (act x cores, set)`, `${e.det.configured.num_activations}x${e.det.configured.aic_num_cores}, ${e.det.configured.set_size}`, `${e.cls.configured.num_activations}x${e.cls.configured.aic_num_cores}, ${e.cls.configured.set_size}`, '', '']);
  rows.push([`throughput ${engine}-run / best plain`, `${over(e.det.runOverBest)} vs ${t.det.bestPlain}`, `${over(e.cls.runOverBest)} vs ${t.cls.bestPlain}`, target, met]);
  rows.push([`throughput ${engine}-benchmark / best plain`, over(e.det.benchmarkOverBest), over(e.cls.benchmarkOverBest), target, '']);
}
const achieved = (key: 'det' | 'cls'): string => {
  const macs = peak.modelMacs[key]!.total;
  const g = (macs * t[key].infPerSec['native-run']!.spread.median) / 1e9;
  return `${g.toFixed(1)} GMAC/s = ${((100 * g) / peak.peakGmacPerSec).toFixed(0)} % of peak (${(macs / 1e9).toFixed(3)} GMAC/inf)`;
};
rows.push([`achieved MAC rate (peak ${peak.peakGmacPerSec.toFixed(1)} GMAC/s)`, achieved('det'), achieved('cls'), '', '']);
for (const name of OTHERS) rows.push([`${name} benchmark`, typeof others[name] === 'string' ? others[name] as string : 'see JSON', '', '', '']);

const summary = table(rows);
console.log('\n' + summary);
const loadAfter = loadavg();
const file = saveResult('run-all', {
  started, finished: new Date().toISOString(), quick: QUICK, machine: machine(), loadavgBefore: loadBefore, loadavgAfter: loadAfter,
  pinning: pinning.available ? 'available' : pinning.reason, summary: summary.split('\n'), dispatch, throughput, peak, others,
});
console.log(`\nsaved ${file} (load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')})`);

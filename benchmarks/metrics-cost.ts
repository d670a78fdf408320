/**
 * Benchmark: what metrics cost (issue 4 targets: recording one latency < 1 µs; `getMetrics()` over a million
 * samples < 5 ms).
 *
 * - record: `LatencyStore.record()` (HDR bucket increment + exact sums), on latency-like values (0.5 to 60 ms in
 *   ns, a long tail), 5 rounds of 2 M records; median ns per record. Also the per-inference cost of the metrics
 *   observer, which records three stages (end to end, queue, onnxruntime run).
 * - getMetrics: the Python dictionary (merge of the activations' histograms + P25..P99.9 + exact mean/stdev) on a
 *   store holding 1 M samples over 2 activations; cold (first call) and warm (median of 30 calls). The richer
 *   `getMetricsReport()` (every stage, every activation) is timed the same way.
 *
 * `node dist/benchmarks/metrics-cost.js [--quick]`; prints a table, saves benchmarks/results/metrics-cost.json.
 */
import { LatencyStore, newHistogram } from '../lib/metrics/latency-store.js';
import { buildReport, pythonMetrics } from '../lib/metrics/report.js';
import { loadavg } from 'node:os';
import { QUICK, machine, saveResult } from './lib/config.js';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Reproducible latency-like values: lognormal around 3 ms, with 1 % of slow ones around 40 ms.
function latencies(n: number): Float64Array {
  let x = 0x12345678;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    out[i] = Math.round((rand() < 0.01 ? 40e6 : 3e6) * Math.exp(0.3 * z));
  }
  return out;
}

const N = QUICK ? 500_000 : 2_000_000;
const ROUNDS = QUICK ? 3 : 5;
const values = latencies(N);

// CPU time as well as wall time: on a shared machine the wall clock also counts time this thread waited for a core;
// process.cpuUsage() counts only time spent running (this script runs nothing else).
const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const recordNs: number[] = [];
const recordCpuNs: number[] = [];
const rawNs: number[] = [];
const perInferenceNs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // the library's floor: hdr-histogram-js's own recordValue on one histogram
  const raw = newHistogram();
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) raw.recordValue(values[i]!);
  rawNs.push(Number(process.hrtime.bigint() - t0) / N);
  const store = new LatencyStore();
  t0 = process.hrtime.bigint();
  const c0 = cpuNs();
  for (let i = 0; i < N; i++) store.record('e2e', i & 1, values[i]!);
  recordCpuNs.push((cpuNs() - c0) / N);
  recordNs.push(Number(process.hrtime.bigint() - t0) / N);
  const observer = new LatencyStore();
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const a = i & 1;
    const v = values[i]!;
    observer.record('e2e', a, v);
    observer.record('queue', a, v >> 6);
    observer.record('ort', a, v - (v >> 4));
  }
  perInferenceNs.push(Number(process.hrtime.bigint() - t0) / N);
}

const million = new LatencyStore();
for (let i = 0; i < 1_000_000; i++) million.record('e2e', i & 1, values[i % N]!);
const time = (fn: () => unknown): number => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const cpuTime = (fn: () => unknown, times: number): number => {
  const c0 = cpuNs();
  for (let i = 0; i < times; i++) fn();
  return (cpuNs() - c0) / 1e6 / times;
};
const coldGetMetricsMs = time(() => pythonMetrics(million.summary('e2e')));
const warmGetMetrics: number[] = [];
for (let i = 0; i < 30; i++) warmGetMetrics.push(time(() => pythonMetrics(million.summary('e2e'))));
const warmGetMetricsCpuMs = cpuTime(() => pythonMetrics(million.summary('e2e')), 200);
const coldReportMs = time(() => buildReport(million));
const warmReport: number[] = [];
for (let i = 0; i < 30; i++) warmReport.push(time(() => buildReport(million)));

const result = {
  machine: machine(),
  loadAverage1m: loadavg()[0],
  quick: QUICK,
  recordsPerRound: N,
  rounds: ROUNDS,
  recordNsMedian: median(recordNs),
  recordNsRounds: recordNs,
  recordCpuNsMedian: median(recordCpuNs),
  rawHdrRecordNsMedian: median(rawNs),
  observerPerInferenceNsMedian: median(perInferenceNs),
  getMetrics1M: { coldMs: coldGetMetricsMs, warmMedianMs: median(warmGetMetrics), warmMaxMs: Math.max(...warmGetMetrics), warmCpuMs: warmGetMetricsCpuMs },
  getMetricsReport1M: { coldMs: coldReportMs, warmMedianMs: median(warmReport), warmMaxMs: Math.max(...warmReport) },
  targets: { recordNs: 1000, getMetricsMs: 5 },
};

const ok = (v: number, limit: number): string => (v < limit ? 'ok' : 'MISSED');
console.log('metrics cost');
console.log(`  record one latency             ${result.recordNsMedian.toFixed(1).padStart(8)} ns  wall, ${result.recordCpuNsMedian.toFixed(1)} ns CPU (median of ${ROUNDS} rounds x ${N}; target < 1000 ns: ${ok(result.recordNsMedian, 1000)})`);
console.log(`  hdr-histogram-js recordValue    ${result.rawHdrRecordNsMedian.toFixed(1).padStart(8)} ns  (the floor: one histogram, no sums)`);
console.log(`  observer, per inference (3x)   ${result.observerPerInferenceNsMedian.toFixed(1).padStart(8)} ns`);
console.log(`  getMetrics(), 1 M samples      ${result.getMetrics1M.warmMedianMs.toFixed(3).padStart(8)} ms  warm median, ${warmGetMetricsCpuMs.toFixed(3)} ms CPU; cold (first call) ${coldGetMetricsMs.toFixed(3)} ms; worst warm ${result.getMetrics1M.warmMaxMs.toFixed(3)} ms (target < 5 ms, cold and warm median: ${ok(Math.max(coldGetMetricsMs, result.getMetrics1M.warmMedianMs), 5)})`);
console.log(`  getMetricsReport(), 1 M        ${result.getMetricsReport1M.warmMedianMs.toFixed(3).padStart(8)} ms  warm median (cold ${coldReportMs.toFixed(3)} ms)`);
console.log(`  (1-minute load average ${result.loadAverage1m.toFixed(2)} on ${String(result.machine.cores)} cores: other work on the machine inflates these)`);
console.log(`saved ${saveResult('metrics-cost', result)}`);

// Throughput over time from runBenchmark progress snapshots: irregular, bursty snapshots are resampled into equal
// windows, so a burst of reports does not draw a spike.
import t from 'tap';
import { progressThroughput } from '../../lib/report/run-report.js';

t.test('steady rate stays steady however the snapshots arrive', async (t) => {
  // 100 inferences/s for 4 s, reported at irregular times (a burst near 2 s).
  const times = [0.3, 1.0, 1.95, 1.96, 1.97, 2.0, 3.1, 4.0];
  const points = progressThroughput(times.map((e) => ({ elapsed: e, completed: Math.round(e * 100) })), 2, 1);
  t.same(points.map((p) => p.t), [1, 2, 3, 4]);
  for (const p of points) t.ok(Math.abs(p.rate - 200) < 1e-6, `window ending ${p.t}: ${p.rate} items/s (batch 2)`);
});

t.test('a stall shows as a window with a lower rate', async (t) => {
  const points = progressThroughput([{ elapsed: 1, completed: 50 }, { elapsed: 2, completed: 50 }, { elapsed: 3, completed: 100 }], 1, 1);
  t.same(points.map((p) => p.rate), [50, 0, 50]);
  t.same(progressThroughput([]), [], 'no snapshots, no points');
});

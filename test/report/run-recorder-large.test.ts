// A recorder holding more runs than a spread call can take (the default limit is 1 000 000): the series must still
// build. Math.min(...array) over ~120 000 values or more throws RangeError (call stack).
import t from 'tap';
import { RunRecorder } from '../../lib/report/run-recorder.js';
import type { RunTrace } from '../../lib/runtime/trace.js';

t.test('throughputSeries over 300 000 recorded runs', async (t) => {
  const recorder = new RunRecorder();
  const n = 300_000;
  const worker = { received: 0, runStart: 0, runEnd: 0, posted: 0 };
  for (let i = 0; i < n; i++) {
    // one inference per ms from 1 s on, each taking 0.5 ms, alternating between two activations
    const callNs = 1e9 + i * 1e6;
    const trace: RunTrace = { activation: i % 2, first: i < 2, ok: true, callNs, validatedNs: callNs, takenNs: callNs, sentNs: callNs, worker, receivedNs: callNs, doneNs: callNs + 5e5 };
    recorder.onRun(trace);
  }
  const [series] = recorder.throughputSeries(30);
  t.ok(series !== undefined && series.points.length > 0, 'points built');
  const rates = series!.points.map((p) => p.rate);
  t.ok(rates.every((r) => Number.isFinite(r) && r >= 0), 'finite rates');
  const full = rates.filter((r) => Math.abs(r - 1000) < 1);
  t.ok(full.length >= rates.length - 1, `every full window runs at 1000 inf/s: ${rates.join(', ')}`);
  t.equal(recorder.histogramSeries().length, 2, 'both activations');
});

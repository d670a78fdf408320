import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS, captureLog, clsInput } from './helpers.js';

const num = String.raw`(\d+(\.\d+)?(e-?\d+)?)`;

t.test('printMetrics() with no run() beyond the first says why, and shows the benchmark under its own label', async (t) => {
  const session = new Session(CLS, { enable_metrics: true, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());

  const before = await captureLog(() => session.printMetrics());
  t.same(before, ['No run() inference recorded yet: getMetrics() has no figures (every field is 0).'], 'nothing recorded: one line saying so, no table of zeros');

  await session.run(clsInput());
  const afterFirst = await captureLog(() => session.printMetrics());
  t.equal(afterFirst.length, 1, 'only the first inference: still no table');
  t.match(afterFirst[0], /^No run\(\) inference recorded after the first one of each activation \(1 first inference kept apart/);

  const [completed] = await session.runBenchmark({ num_inferences: 20, emitWarnings: false });
  t.equal(session.getMetrics().num_of_inferences, 0, 'getMetrics() stays the run() figures, as in Python');
  const lines = await captureLog(() => session.printMetrics());
  t.match(lines[0], /^No run\(\) inference recorded after the first one/);
  t.match(lines[1], /^runBenchmark\(\) latencies instead \(issue to completion inside the activations/);
  t.equal(lines[2], `Number of inferences utilized for calculation are ${completed}`, 'the benchmark\'s count');
  t.match(lines[3], new RegExp(`^Minimum latency observed ${num} s$`));
  const bench = session.getMetricsReport().stages.benchmark!.all;
  t.equal(lines[3], `Minimum latency observed ${bench.min} s`, 'the printed figures are the benchmark stage\'s');
  t.ok(bench.min > 0, 'not zeros');
  t.equal(lines.length, 13, 'two explaining lines and the 11 Python lines');

  await session.run(clsInput());
  const withRun = await captureLog(() => session.printMetrics());
  t.equal(withRun[0], 'Number of inferences utilized for calculation are 1', 'once a run() is recorded, the Python printout of run() figures');
  t.equal(withRun.length, 11);
});

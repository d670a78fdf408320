import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from './helpers.js';

// How close the rate comes to an outside wall clock depends on the machine's load, so that comparison is a benchmark
// (benchmarks/rate-vs-wall-clock.ts). This test asserts only what holds however loaded the machine is: the measured
// window lies inside the wall clock around the call, so the rate lies between the count over the outer clock and
// the count over the inner one (which is the rate's definition).
// 1 s: the shortest window without the too-short warning; every activation still completes many inferences in it
const INF_TIME = 1;

t.test('runBenchmark({inf_time}): the rate is the count over the measured window, which lies inside the wall clock', async (t) => {
  const session = new Session(CLS, { enable_metrics: true, num_activations: 2, aic_num_cores: 1, set_size: 2, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await session.setup();
  const t0 = performance.now();
  const result = await session.runBenchmark({ inf_time: INF_TIME, emitWarnings: false });
  const wall = (performance.now() - t0) / 1000;
  const [completed, rate, seconds, batch] = result;
  t.equal(batch, 1);
  t.same([result.inf_completed, result.inf_rate, result.inf_time, result.batch_size], [completed, rate, seconds, batch], 'named fields equal the tuple');
  t.same([result.infCompleted, result.infRate, result.infTime, result.batchSize], [completed, rate, seconds, batch], 'camelCase names too');
  t.ok(seconds >= INF_TIME && seconds < wall, `measured window ${seconds} s is at least inf_time and inside the wall clock ${wall} s`);
  t.equal(rate, (completed * batch) / seconds, 'inf_rate = inf_completed x batch_size / inf_time');
  t.ok(rate >= (completed * batch) / wall, `inf_rate ${rate.toFixed(1)} is at least the count over the outer wall clock ${((completed * batch) / wall).toFixed(1)}`);
  const h = result.details.harness;
  t.ok(h.beforeStart >= 0 && h.afterEnd >= 0, 'harness time outside the window is reported and not negative');
  t.ok(seconds + h.beforeStart + h.afterEnd <= wall + 1e-3, 'window plus harness time fits in the wall clock');
  const d = result.details;
  t.equal(d.activations, 2);
  t.equal(d.depth, 2, 'set_size deep');
  t.equal(d.perActivation.reduce((n, a) => n + a.completed, 0), completed);
  t.ok(d.perActivation.every((a) => a.completed > 0), 'every activation was busy');
  // a fixed window: what completes after the deadline is drained and not counted, so no load can stretch it
  for (const a of d.perActivation) t.ok(Math.abs(a.seconds - INF_TIME) < 1e-6, `activation ${a.activation} measured exactly inf_time (${a.seconds} s)`);
  t.equal(d.latency.count, completed, 'one latency per measured inference');
  t.equal(d.warmup.perActivation, 1);
  t.ok(d.warmup.seconds > 0, 'warm-up reported');
  t.equal(session.getMetricsReport().stages.benchmark?.all.count, completed, 'with metrics on, benchmark latencies land in the benchmark stage');
  t.equal(session.getMetrics().num_of_inferences, 0, 'and not in the run() end-to-end figures');
});

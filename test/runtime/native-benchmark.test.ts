/**
 * runBenchmark() on the native engine (issue 13): the loop runs inside the native threads and returns the Python
 * 4-tuple with per-inference samples, in count mode (exact total over activations) and time mode.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from '../metrics/helpers.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

t.test('count and time mode on 2 native activations', { skip: NATIVE_SKIP }, async (t) => {
  const session = new Session(CLS, { engine: 'native', num_activations: 2, set_size: 2, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const r = await session.runBenchmark({ num_inferences: 30, emitWarnings: false });
  t.equal(session.engine, 'native');
  t.equal(r.length, 4, 'the Python 4-tuple');
  t.equal(r[0], 30, 'exactly the inferences asked for, over both activations');
  t.ok(r[1] > 0 && r[2] > 0, 'a duration and a rate');
  t.equal(r.details.mode, 'count');
  t.equal(r.inf_completed, 30);
  t.equal(r.details.perActivation.length, 2, 'one entry per activation');
  t.equal(r.details.perActivation.reduce((n, a) => n + a.completed, 0), 30, 'their samples add up to the total');
  t.equal(r.details.latency.count, 30, 'one latency sample per measured inference');
  t.ok(r.details.latency.min > 0 && r.details.latency.max >= r.details.latency.min, 'samples are positive durations');
  const timed = await session.runBenchmark({ inf_time: 0.3, emitWarnings: false });
  t.equal(timed.details.mode, 'time');
  t.ok(timed[0] > 0, 'time mode measured inferences');
});

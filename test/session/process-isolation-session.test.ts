/**
 * The Session's core behaviours with `isolation: 'process'` (issue 12): run() gives the very outputs of thread
 * activations (PP-OCRv4 cls), runBenchmark() measures every activation across the process boundary (count and
 * time modes, progress included), metrics are recorded, and close() ends the children and refuses later calls.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS_MODEL } from '../fixtures/models.js';

const input = (): Float32Array => Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i) * 0.5);

t.test('run, runBenchmark, metrics and close in child processes', async (t) => {
  const thread = new Session(CLS_MODEL, { compile: false });
  const expected = await thread.run({ x: { data: input(), shape: [1, 3, 48, 192] } });
  await thread.close();

  const session = new Session(CLS_MODEL, { compile: false, isolation: 'process', num_activations: 2, set_size: 2, enable_metrics: true, allow_oversubscription: true });
  t.teardown(() => session.close());
  const outputs = await Promise.all([0, 1, 2, 3].map(() => session.run({ x: { data: input(), shape: [1, 3, 48, 192] } })));
  for (const out of outputs) {
    const name = Object.keys(expected)[0]!;
    t.same(out[name]!.shape, expected[name]!.shape, 'same output shape as a thread activation');
    t.same(Array.from(out[name]!.data as Float32Array), Array.from(expected[name]!.data as Float32Array), 'same output values');
  }
  const pids = session._pool!.activations.map((a) => a.threadId);
  t.equal(new Set(pids).size, 2, 'two activations, each its own child process');
  t.not(pids[0], process.pid, 'not this process');

  let progressed = 0;
  const counted = await session.runBenchmark({ inputs: { x: { data: input(), shape: [1, 3, 48, 192] } }, num_inferences: 40, emitWarnings: false, progressMs: 10, onProgress: (p) => { progressed = Math.max(progressed, p.completed); } });
  t.equal(counted.inf_completed, 40, 'count mode: the exact count over both activations');
  t.equal(progressed, 40, 'progress crosses the process boundary and ends at the final count');
  const timed = await session.runBenchmark({ inputs: { x: { data: input(), shape: [1, 3, 48, 192] } }, inf_time: 0.3, emitWarnings: false });
  t.ok(timed.inf_completed > 0, 'time mode: inferences measured');

  const metrics = session.getMetrics();
  t.ok(metrics.num_of_inferences > 0, 'run() latencies are recorded');

  await session.close();
  t.equal(session._pool, undefined, 'no runtime after close()');
  await t.rejects(session.run({ x: { data: input(), shape: [1, 3, 48, 192] } }), { code: 'QAIC_SESSION_CLOSED' });
});

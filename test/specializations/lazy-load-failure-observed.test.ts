import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import type { RunTrace } from '../../lib/runtime/trace.js';
import { tempDir } from '../program/helpers.js';
import { addGraph, programOf } from './helpers.js';

// A run whose graph cannot be made loadable on its first use (here: compiled for CPU features this host lacks) fails
// after its inputs were accepted: observers get its failed trace, as they do for a run onnxruntime rejected.

async function rejection(promise: Promise<unknown>): Promise<QaicError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as QaicError);
}

t.test('a run failing to make its graph loadable reaches the observers as a failed run of that graph', async (t) => {
  const dir = await programOf(join(tempDir(t), 'p'), [addGraph('here', 'float32', 1, [1, 4]), addGraph('elsewhere', 'float32', 10, [4, 1], ['qaic_test_no_such_cpu_feature'])]);
  const session = new Session(dir);
  t.teardown(() => session.close());
  await session.setup();
  const traces: RunTrace[] = [];
  const unsubscribe = session.observe({ onRun: (trace) => traces.push(trace) });
  const refused = await rejection(session.run({ x: { data: new Float32Array(4), shape: [4, 1] } }));
  t.equal(refused.code, 'QAIC_PROGRAM_HOST_MISMATCH', refused.message);
  t.equal(traces.length, 1, 'one trace for the failed run');
  t.equal(traces[0]?.ok, false);
  t.equal(traces[0]?.graph, 'elsewhere', 'naming the graph it was for');
  t.equal(traces[0]?.activation, -1, 'no activation took it');
  t.ok(traces[0]!.doneNs >= traces[0]!.validatedNs && traces[0]!.validatedNs >= traces[0]!.callNs, 'its timeline is in order');
  await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
  t.same(traces.map((x) => [x.graph, x.ok]), [['elsewhere', false], ['here', true]], 'and the next run is traced as before');
  unsubscribe();

  // an observer that throws on that failure: its error reaches the caller, as for any other run
  session.observe({ onRun: () => { throw new Error('observer broke'); } });
  await t.rejects(session.run({ x: { data: new Float32Array(4), shape: [4, 1] } }), { message: 'observer broke' });
});

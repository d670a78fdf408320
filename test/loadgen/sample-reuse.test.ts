// A scenario's issue path copies each sample only when run() would detach it: by default (both engines take their
// inputs over) every query gets a fresh copy, while with copy_inputs run() copies the inputs itself and the samples
// are handed out as they are, with no allocation per query.
import t from 'tap';
import { Session } from '../../lib/session.js';
import { prepareScenario } from '../../lib/loadgen/scenarios.js';
import { identityModel } from '../fixtures/models.js';
import { nativeSkipReason } from '../fixtures/native-engine.js';

const quick = { min_duration: 0, min_query_count: 8, emitWarnings: false } as const;

for (const engine of ['native', 'worker'] as const) {
  const skip = engine === 'native' ? nativeSkipReason() ?? false : false;

  t.test(`the ${engine} engine, taking its inputs over, gets a fresh copy of the sample per query`, { skip }, async (t) => {
    const session = new Session(identityModel('float32'), { engine });
    t.teardown(() => session.close());
    const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
    const { cycle } = prepareScenario(session, { scenario: 'SingleStream', inputs: sample, ...quick });
    t.equal(cycle.copies, true);
    const a = cycle.take();
    const b = cycle.take();
    t.not(a, sample, 'not the sample itself');
    t.not(a.x, b.x, 'a distinct copy per query');
    const r = await session.runBenchmark({ scenario: 'SingleStream', inputs: sample, ...quick });
    t.equal(r.details.loadgen.queries, 8);
    t.equal(sample.x.data.length, 6, "the caller's buffer is still attached");
  });

  t.test(`copy_inputs on the ${engine} engine reuses the samples`, { skip }, async (t) => {
    const session = new Session(identityModel('float32'), { engine, copy_inputs: true });
    t.teardown(() => session.close());
    const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
    const { cycle } = prepareScenario(session, { scenario: 'Server', target_qps: 100, inputs: sample, ...quick });
    t.equal(cycle.copies, false);
    t.equal(cycle.take(), sample, 'the sample itself');
    const r = await session.runBenchmark({ scenario: 'Server', target_qps: 100, inputs: sample, ...quick });
    t.equal(r.details.loadgen.queries, 8);
    t.same(Array.from(sample.x.data), [1, 2, 3, 4, 5, 6], 'the sample is unchanged after every query used it');
  });
}

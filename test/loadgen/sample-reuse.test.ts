// A scenario's issue path copies each sample only when run() would detach it. A Session lends its samples instead
// (_runLent: not detached, copied by the activation when it takes the request), so on both engines the samples are
// handed out as they are, with no allocation per query; a target with only run() gets a fresh copy per query.
import t from 'tap';
import { Session } from '../../lib/session.js';
import { prepareScenario, type ScenarioTarget } from '../../lib/loadgen/scenarios.js';
import { identityModel } from '../fixtures/models.js';
import { nativeSkipReason } from '../fixtures/native-engine.js';

const quick = { min_duration: 0, min_query_count: 8, emitWarnings: false } as const;

t.test('a target with only run(), which detaches its inputs, gets a fresh copy of the sample per query', async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'worker' });
  t.teardown(() => session.close());
  // the session's public surface without _runLent: what a scenario sees of any other run() implementation
  const target: ScenarioTarget = {
    run: (inputs) => session.run(inputs), setup: () => session.setup(), modelInputShapeDict: session.modelInputShapeDict,
    batchSize: session.batchSize, options: session.options, source: session.source,
  };
  const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
  const { cycle } = prepareScenario(target, { scenario: 'SingleStream', inputs: sample, ...quick });
  t.equal(cycle.copies, true);
  const a = cycle.take();
  const b = cycle.take();
  t.not(a, sample, 'not the sample itself');
  t.not(a.x, b.x, 'a distinct copy per query');
  await target.run(a);
  t.equal((a.x as { data: Float32Array }).data.length, 0, 'the copy was taken over by run()');
  t.equal(sample.x.data.length, 6, "the caller's buffer is still attached");
});

for (const engine of ['native', 'worker'] as const) {
  const skip = engine === 'native' ? nativeSkipReason() ?? false : false;

  t.test(`the ${engine} engine: a Session lends its samples, reused for every query and left unchanged`, { skip }, async (t) => {
    const session = new Session(identityModel('float32'), { engine });
    t.teardown(() => session.close());
    const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
    const { cycle } = prepareScenario(session, { scenario: 'SingleStream', inputs: sample, ...quick });
    t.equal(cycle.copies, false);
    t.equal(cycle.take(), sample, 'the sample itself');
    for (const scenario of ['SingleStream', 'Server', 'Offline'] as const) {
      const r = await session.runBenchmark({ scenario, ...(scenario === 'Server' ? { target_qps: 100 } : {}), inputs: sample, ...quick });
      t.ok(r.details.loadgen.queries >= 1, `${scenario} ran`);
    }
    t.equal(session.engine, engine);
    t.same(Array.from(sample.x.data), [1, 2, 3, 4, 5, 6], 'the sample is attached and unchanged after every query used it');
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

// A scenario's issue path copies each sample only when run() would detach it: on the worker engine (which transfers
// inputs by default) every query gets a fresh copy, while on the native engine, or with copy_inputs, run() copies the
// inputs itself and the samples are handed out as they are, with no allocation per query.
import t from 'tap';
import { Session } from '../../lib/session.js';
import { prepareScenario } from '../../lib/loadgen/scenarios.js';
import { identityModel } from '../fixtures/models.js';
import { nativeSkipReason } from '../fixtures/native-engine.js';

const quick = { min_duration: 0, min_query_count: 8, emitWarnings: false } as const;

t.test('the worker engine, transferring its inputs, gets a fresh copy of the sample per query', async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'worker' });
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

t.test('copy_inputs on the worker engine reuses the samples', async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'worker', copy_inputs: true });
  t.teardown(() => session.close());
  const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
  const { cycle } = prepareScenario(session, { scenario: 'Server', target_qps: 100, inputs: sample, ...quick });
  t.equal(cycle.copies, false);
  t.equal(cycle.take(), sample, 'the sample itself');
  const r = await session.runBenchmark({ scenario: 'Server', target_qps: 100, inputs: sample, ...quick });
  t.equal(r.details.loadgen.queries, 8);
  t.same(Array.from(sample.x.data), [1, 2, 3, 4, 5, 6], 'the sample is unchanged after every query used it');
});

t.test('the native engine reuses the samples', { skip: nativeSkipReason() ?? false }, async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'native' });
  t.teardown(() => session.close());
  await session.setup();
  t.equal(session.engine, 'native');
  const sample = { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] } };
  const { cycle } = prepareScenario(session, { scenario: 'Offline', inputs: sample, ...quick });
  t.equal(cycle.copies, false);
  t.equal(cycle.take(), sample, 'the sample itself');
  const r = await session.runBenchmark({ scenario: 'Offline', inputs: sample, ...quick });
  t.ok(r.details.loadgen.queries >= 1);
  t.same(Array.from(sample.x.data), [1, 2, 3, 4, 5, 6], 'the sample is unchanged');
});

import t from 'tap';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

const quick = { min_duration: 0, min_query_count: 6, emitWarnings: false } as const;

t.test('input sets are cycled through, copied per query: the caller\'s buffers stay usable', async (t) => {
  const session = new Session(identityModel('float32'));
  t.teardown(() => session.close());
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  const b = new ort.Tensor('float32', new Float32Array([6, 5, 4, 3, 2, 1]), [2, 3]);
  const r = await session.runBenchmark({ scenario: 'SingleStream', inputs: [{ x: { data: a, shape: [2, 3] } }, { x: b }], ...quick });
  const l = r.details.loadgen;
  t.equal(l.settings.performance_sample_count, 2, 'default: the number of sets given');
  t.equal(l.settings_sources.performance_sample_count, 'default');
  t.equal(l.queries, 6);
  t.equal(a.length, 6, 'a plain array set is not detached');
  t.same(Array.from(b.data as Float32Array), [6, 5, 4, 3, 2, 1], 'an onnxruntime Tensor set is not detached');
  const random = await session.runBenchmark({ scenario: 'SingleStream', performance_sample_count: 3, ...quick });
  t.equal(random.details.loadgen.settings.performance_sample_count, 3);
  t.equal(random.details.loadgen.settings_sources.performance_sample_count, 'argument');
});

t.test('a run() error ends the scenario and is thrown; the session stays usable', async (t) => {
  const session = new Session(identityModel('float32'));
  t.teardown(() => session.close());
  await t.rejects(session.runBenchmark({ scenario: 'Server', target_qps: 50, inputs: { y: new Float32Array(6) }, ...quick }), { code: 'QAIC_INPUT_UNKNOWN' });
  await t.rejects(session.runBenchmark({ scenario: 'Offline', inputs: [], ...quick }), { code: 'QAIC_INVALID_ARGUMENT', message: /'inputs' must be an input set/ });
  const out = await session.run({ x: new Float32Array(6) });
  t.equal(out.y!.shape.length, 2, 'run() still works');
});

t.test('one scenario at a time per session', async (t) => {
  const session = new Session(identityModel('float32'));
  t.teardown(() => session.close());
  await session.setup();
  const first = session.runBenchmark({ scenario: 'SingleStream', min_duration: 300, min_query_count: 1, emitWarnings: false });
  await t.rejects(session.runBenchmark({ scenario: 'Offline', ...quick }), { code: 'QAIC_INVALID_ARGUMENT', message: /a scenario is already running on this session/ });
  t.ok((await first).details.loadgen.queries > 0, 'the first one completes');
});

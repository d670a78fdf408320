/**
 * Crash and replacement on the native engine (issue 13): an activation that dies with a run in flight (the tests'
 * fault injection, emulated by the native transport as an exit with code 70) rejects it with
 * QAIC_ACTIVATION_CRASHED and is replaced by a new native activation, which serves the next run.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { slowModel, until, within } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

t.test('a native activation that dies mid-inference is replaced', { skip: NATIVE_SKIP }, async (t) => {
  const session = new Session(slowModel(400), { engine: 'native' });
  t.teardown(() => session.close());
  await session.setup();
  const victim = session._pool!.activations[0]!;
  const outcome = session.run({ x: new Float32Array(512 * 512) }).then(() => undefined, (e: unknown) => e);
  await until(() => victim.inFlight === 1, 10_000, 'the run being dispatched');
  await victim.killForTesting();
  const error = await within(outcome, 10_000, 'the in-flight run') as { code?: string; message?: string };
  t.equal(error?.code, 'QAIC_ACTIVATION_CRASHED');
  t.match(error?.message, /exited \(code 70\)/);
  t.equal(victim.state, 'dead');
  const out = await within(session.run({ x: new Float32Array(512 * 512).fill(1) }), 30_000, 'the run after the crash');
  t.equal(out['y']!.shape[0], 512, 'the next run works');
  const replacement = session._pool!.activations[0]!;
  t.not(replacement, victim, 'activation 0 was replaced');
  t.equal(replacement.engine, 'native', 'by a native activation');
});

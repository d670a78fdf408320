/**
 * pin_cores on the native engine (issue 13): each native thread pins itself to its own cores, without the pinning
 * addon, and reports the CPUs the OS then gives it.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';
import { allowedCpus, cpusForActivation } from '../../lib/runtime/affinity.js';

t.test('two native activations of one core each are pinned to distinct CPUs', { skip: NATIVE_SKIP }, async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'native', pin_cores: true, num_activations: 2, allow_oversubscription: true });
  t.teardown(() => session.close());
  await session.run({ x: new Float32Array(6) });
  t.equal(session.engine, 'native');
  const [a, b] = session._pool!.activations;
  const allowed = allowedCpus();
  t.same(a!.pinnedCpus, cpusForActivation(0, 1, allowed), 'activation 0 on its CPU');
  t.same(b!.pinnedCpus, cpusForActivation(1, 1, allowed), 'activation 1 on its CPU');
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

function x(v: number): { data: Float32Array; shape: number[] } {
  return { data: new Float32Array(4).fill(v), shape: [1, 4] };
}

t.test('backendOptions() reports, updateBackendOptions() applies set_size at once and re-activates for num_activations', async (t) => {
  const session = new Session(addOneModel(), { set_size: 4 });
  t.teardown(() => session.close());
  t.same(session.backendOptions(), { num_activations: 1, set_size: 4, dev_id: 0 });
  t.same(session.backend_options(), session.backendOptions(), 'snake alias');
  await session.setup();
  const firstPool = session._pool!;

  await session.updateBackendOptions({ setSize: 2 });
  t.equal(session.backendOptions().set_size, 2);
  t.equal(session._pool, firstPool, 'set_size does not re-activate');
  t.equal(firstPool.setSize, 2, 'the running pool uses it');

  const inFlight = session.run({ x: x(1) });
  await session.update_backend_options({ num_activation: 2 }); // Python's spelling
  t.same(session.backendOptions(), { num_activations: 2, set_size: 2, dev_id: 0 });
  t.not(session._pool, firstPool, 're-activated');
  t.equal(session._pool!.activations.length, 2, 'with 2 activations');
  t.equal((await inFlight)['y']!.data[0], 2, 'a run in flight during the change completes');
  const outs = await Promise.all([1, 2, 3, 4].map((v) => session.run({ x: x(v) })));
  t.same(outs.map((o) => o['y']!.data[0]), [2, 3, 4, 5]);

  await session.updateBackendOptions({ num_activations: 1, dev_id: 0 });
  t.equal(session._pool!.activations.length, 1, 'and back to 1');
});

t.test('before activation, num_activations is only recorded: the first run uses it', async (t) => {
  const session = new Session(addOneModel());
  t.teardown(() => session.close());
  await session.updateBackendOptions({ num_activations: 2 });
  t.equal(session._pool, undefined, 'nothing activated');
  await session.run({ x: x(0) });
  t.equal(session._pool!.activations.length, 2);
});

t.test('BAD CALL - updateBackendOptions() refuses other keys, bad values and oversubscription', async (t) => {
  const session = new Session(addOneModel());
  t.teardown(() => session.close());
  await t.rejects(session.updateBackendOptions({ aic_num_cores: 2 }), { code: 'QAIC_INVALID_OPTION', message: /'aic_num_cores' cannot be changed after creation; backend options are num_activations, set_size, dev_id/ });
  await t.rejects(session.updateBackendOptions({ set_sise: 2 }), { code: 'QAIC_INVALID_OPTION', message: /did you mean 'set_size'\?/ });
  await t.rejects(session.updateBackendOptions({ set_size: 0 }), { code: 'QAIC_INVALID_OPTION', message: /option 'set_size': expected an integer from 1/ });
  await t.rejects(session.updateBackendOptions({ dev_id: 3 }), { code: 'QAIC_INVALID_OPTION', message: /device 3 does not exist/ });
  await t.rejects(session.updateBackendOptions({ num_activations: 1000 }), { code: 'QAIC_OVERSUBSCRIBED' });
  t.same(session.backendOptions(), { num_activations: 1, set_size: 10, dev_id: 0 }, 'nothing changed');
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

t.test('no-effect compiler flags are accepted, recorded in options.ignored and warned about once', async (t) => {
  const warnings: Error[] = [];
  const listener = (w: Error): void => {
    if ((w as Error & { code?: string }).code === 'QAIC_OPTION_NO_EFFECT') warnings.push(w);
  };
  process.on('warning', listener);
  t.teardown(() => process.off('warning', listener));
  const model = identityModel('float32');
  const a = new Session(model, { mos: 1, ols: 2, 'multicast-weights': true } as never);
  const b = new Session(model, { mos: 1, ols: 2, multicastWeights: true } as never);
  t.same({ ...a.options.ignored }, { mos: 1, ols: 2, multicast_weights: true });
  t.same({ ...b.options.ignored }, { mos: 1, ols: 2, multicast_weights: true });
  // process warnings are emitted on the next tick
  await new Promise((r) => setImmediate(r));
  t.equal(warnings.length, 1, 'warned once for the same set of flags');
  t.match(warnings[0]!.message, /'mos', 'multicast_weights', 'ols' have no effect/);
  const out = await a.run({ x: new Float32Array(6).fill(2) });
  t.same([...(out['y']!.data as Float32Array)], [2, 2, 2, 2, 2, 2], 'the flags do not stop the session from running');
  await a.close();
  await b.close();
});

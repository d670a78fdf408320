import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

// Each of these gave a raw TypeError; each must be a typed error, and the session must keep serving.
t.test("run()'s options argument: null, non-AbortSignal signals, proxies and throwing getters are QAIC_INVALID_ARGUMENT", async (t) => {
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const session = new Session(identityModel('float32'));
    await session.setup();
    const x = () => new Float32Array(6);
    const cases = {
      'null': null,
      'signal: {}': { signal: {} },
      "signal: 'abc'": { signal: 'abc' },
      'signal: proxy of an AbortSignal': { signal: new Proxy(new AbortController().signal, {}) },
      'throwing signal getter': { get signal() { throw new Error('boom'); } },
      'proxy that throws': new Proxy({}, { get() { throw new Error('trap'); } }),
      'a number': 5,
    };
    const out = {};
    for (const [name, options] of Object.entries(cases)) out[name] = await attempt(() => session.run({ x: x() }, options));
    out.after = await attempt(async () => (await session.run({ x: x() }, { signal: new AbortController().signal })).y.data.length);
    await session.close();
    report(out);
  `));
  const { after, ...cases } = result as Record<string, { ok: boolean; code?: string; message?: string; value?: unknown }>;
  t.equal(Object.keys(cases).length, 7);
  for (const [name, outcome] of Object.entries(cases)) {
    t.equal(outcome.ok, false, `${name}: refused`);
    t.equal(outcome.code, 'QAIC_INVALID_ARGUMENT', `${name}: ${outcome.message}`);
  }
  t.same(after, { ok: true, value: 6 }, 'the session still runs, with a real signal');
});

import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

// Inputs whose reading throws (getters, proxy traps) came back as untyped errors.
t.test('inputs whose getters or proxy traps throw give typed errors, and the session keeps serving', async (t) => {
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const session = new Session(identityModel('float32'));
    await session.setup();
    const boom = () => { throw new Error('boom'); };
    const cases = {
      'throwing input getter': { get x() { boom(); } },
      'throwing data getter': { x: { get data() { boom(); }, shape: [2, 3] } },
      'throwing shape getter': { x: { data: new Float32Array(6), get shape() { boom(); } } },
      'proxy inputs (ownKeys throws)': new Proxy({ x: new Float32Array(6) }, { ownKeys: boom }),
      'proxy shape': { x: { data: new Float32Array(6), shape: new Proxy([2, 3], { get: boom }) } },
      'proxy typed array': { x: new Proxy(new Float32Array(6), {}) },
      'holey shape': { x: { data: new Float32Array(6), shape: [2, , 3] } },
    };
    const out = {};
    for (const [name, inputs] of Object.entries(cases)) out[name] = await attempt(() => session.run(inputs));
    out.after = await attempt(async () => (await session.run({ x: new Float32Array(6) })).y.data.length);
    await session.close();
    report(out);
  `));
  const { after, ...cases } = result as Record<string, { ok: boolean; typed?: boolean; code?: string; message?: string }>;
  t.equal(Object.keys(cases).length, 7);
  for (const [name, outcome] of Object.entries(cases)) {
    t.equal(outcome.ok, false, `${name}: refused`);
    t.equal(outcome.typed, true, `${name}: typed (${outcome.code}: ${outcome.message})`);
    t.match(outcome.code, /^QAIC_(INVALID_ARGUMENT|INPUT_DTYPE|INPUT_SHAPE)$/, `${name}: an argument or input code`);
  }
  t.same(after, { ok: true, value: 6 }, 'the session still runs');
});

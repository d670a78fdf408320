import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

// Sparse string arrays gave a raw TypeError; lone surrogates came back as U+FFFD without a word.
t.test('string inputs: holes and lone surrogates are refused, well-formed text round-trips exactly', async (t) => {
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const session = new Session(identityModel('string', [2]));
    await session.setup();
    const out = {
      sparse: await attempt(() => session.run({ x: new Array(2) })),
      halfSparse: await attempt(() => session.run({ x: Object.assign(new Array(2), { 0: 'a' }) })),
      number: await attempt(() => session.run({ x: ['a', 5] })),
      loneHigh: await attempt(() => session.run({ x: ['a', 'b\\uD800c'] })),
      loneLow: await attempt(() => session.run({ x: ['\\uDC00', 'b'] })),
      roundTrip: await attempt(async () => (await session.run({ x: ['h\\u00e9llo \\uD83D\\uDE00', '\\u4e2d\\u6587'] })).y.data),
    };
    await session.close();
    report(out);
  `));
  for (const name of ['sparse', 'halfSparse', 'number', 'loneHigh', 'loneLow']) {
    t.equal(result[name].ok, false, `${name}: refused`);
    t.equal(result[name].code, 'QAIC_INPUT_DTYPE', `${name}: ${result[name].message}`);
  }
  t.match(result.loneHigh.message, /lone UTF-16 surrogate/);
  t.same(result.roundTrip, { ok: true, value: ['h\u00e9llo \uD83D\uDE00', '\u4e2d\u6587'] }, 'astral and non-ASCII text comes back unchanged');
});

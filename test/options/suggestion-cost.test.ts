import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

// "did you mean" over a megabytes-long unknown name blocked the event loop for a minute (edit distance is quadratic).
t.test('a 5 MB unknown option name is refused at once, without a suggestion and without a 5 MB message', async (t) => {
  const result = finished(t, await isolated(`
    const { resolveOptions } = await lib('options.js');
    const name = 'set_size' + 'x'.repeat(5 * 1024 * 1024);
    report(await attempt(() => { resolveOptions({ [name]: 1 }); }));
  `, { timeoutMs: 60_000 }));
  t.equal(result.code, 'QAIC_INVALID_OPTION', result.message);
  t.ok((result.message as string).length < 400, 'the message is short');
  t.notMatch(result.message, /did you mean/);
});

t.test('a typo still gets its suggestion', async (t) => {
  const { resolveOptions } = await import('../../lib/options.js');
  t.throws(() => resolveOptions({ num_activatons: 1 } as never), { code: 'QAIC_INVALID_OPTION', message: /did you mean 'num_activations'/ });
});

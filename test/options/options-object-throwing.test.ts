import t from 'tap';
import { resolveOptions } from '../../lib/options.js';

t.test('an options object whose getter or proxy trap throws is QAIC_INVALID_OPTION, not the raw error', async (t) => {
  const getter = { get num_activations(): number { throw new Error('boom'); } };
  t.throws(() => resolveOptions(getter as never), { code: 'QAIC_INVALID_OPTION', message: /options could not be read: Error: boom/ });
  const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
  t.throws(() => resolveOptions(proxy as never), { code: 'QAIC_INVALID_OPTION', message: /trap/ });
});

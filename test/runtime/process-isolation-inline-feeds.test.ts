/**
 * Small feeds cross to a process activation inside the IPC message, and several messages can arrive in one read of
 * the channel: their tensors are views into one shared buffer. The child must copy them to its worker, not
 * transfer that buffer (which would empty the other requests' feeds, or throw for Node's pooled buffers). Many
 * distinct small requests in flight at once, each answered with its own input plus one, show it.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

t.test("many small runs in flight on isolation: 'process' each get their own answer", async (t) => {
  const session = new Session(addOneModel([1, 4]), { isolation: 'process', num_activations: 1, set_size: 8, compile: false });
  t.teardown(() => session.close());
  await session.setup();
  const runs = Array.from({ length: 300 }, (_, i) => {
    const x = Float32Array.from([i, i + 0.25, i + 0.5, i + 0.75]);
    return session.run({ x: { data: x, shape: [1, 4] } }).then((out) => ({ i, y: Array.from(out['y']!.data as Float32Array) }));
  });
  const wrong = (await Promise.all(runs)).filter(({ i, y }) => y.join() !== [i + 1, i + 1.25, i + 1.5, i + 1.75].join());
  t.same(wrong, [], 'every output is its own input plus one');
});

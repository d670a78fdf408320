/**
 * run() with borrowInputs: onnxruntime reads the caller's buffers without a copy, and the addon keeps them alive until
 * the request ends, so inputs the caller dropped at once (and the garbage collector ran over) still give the right
 * results. In a child process, because a buffer freed too early would be a use-after-free.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { BUFFER_LIFETIME_PRELUDE, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('borrowed inputs stay alive until their runs end, across garbage collections', { skip }, async (t) => {
  const result = finished(t, await isolated(`${BUFFER_LIFETIME_PRELUDE}
    const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], { intraOpNumThreads: 1 });
    const pending = [];
    for (let i = 0; i < 300; i++) {
      // a view with an offset into a buffer nobody else keeps
      const x = new Float32Array(new ArrayBuffer(4 * 4 * 65), 4 * 4, 4 * 64).fill(i);
      pending.push(activation.run([{ type: 'float32', dims: [64, 4], data: x }], { borrow: true }).then((e) => e.outputs.y.data.every((v) => v === i + 1)));
      if (i % 50 === 0) gc();
    }
    gc();
    const checks = await Promise.all(pending);
    const strings = await activation.run([{ type: 'float32', dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) }], { borrow: true });
    await activation.close();
    report({ right: checks.filter(Boolean).length, small: [...strings.outputs.y.data] });
  `, { timeoutMs: 60_000 }));
  t.equal(result.right, 300, 'every borrowed run computed x + 1 of its own input');
  t.same(result.small, [2, 3, 4, 5]);
});

/**
 * Outputs are external buffers over onnxruntime's memory: they stay valid after their activation closed, and
 * collecting them afterwards (their finalizers release the onnxruntime values) is safe. In a child process, because
 * a use-after-free here would crash.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { BUFFER_LIFETIME_PRELUDE, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('outputs outlive their activation and are collected safely after it closed', { skip }, async (t) => {
  const result = finished(t, await isolated(`${BUFFER_LIFETIME_PRELUDE}
    const model = addOneModel();
    let kept = [];
    const first = new TestActivation(engineAddon(), model, ['x'], { intraOpNumThreads: 1 });
    // 4 KiB outputs: outputs under 4 KiB are copied, and only external buffers can outlive onnxruntime's memory
    for (let i = 0; i < 50; i++) kept.push((await first.run([{ type: 'float32', dims: [256, 4], data: new Float32Array(1024).fill(i) }])).outputs.y.data);
    const external = engineAddon().heldOutputValues();
    await first.close();
    first.events.length = 0;
    const valid = kept.every((d, i) => d.length === 1024 && d.every((v) => v === i + 1));
    kept = [];
    gc();
    await new Promise((r) => setTimeout(r, 20));
    gc();
    const second = new TestActivation(engineAddon(), model, ['x'], { intraOpNumThreads: 1 });
    const next = await second.run([{ type: 'float32', dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) }]);
    await second.close();
    report({ valid, external, next: [...next.outputs.y.data] });
  `, { timeoutMs: 60_000 }));
  t.equal(result.external, 50, 'the kept outputs are external buffers over onnxruntime memory');
  t.equal(result.valid, true, 'every kept output still holds its values after close()');
  t.same(result.next, [2, 3, 4, 5], 'after they were collected, a new activation runs');
});

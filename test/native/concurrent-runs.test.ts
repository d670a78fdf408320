/**
 * 1,000 runs queued at once on two native activations, each with its own input, each answered with its own result:
 * the queue, the per-request ids and the event channel never mix requests up.
 */
import t from 'tap';
import { addOneModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('1,000 concurrent runs with distinct inputs each get x + 1 of their own input', { skip }, async (t) => {
  const addon = engineAddon();
  const model = addOneModel();
  const activations = [0, 1].map(() => new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1 }));
  try {
    const pending: Array<Promise<boolean>> = [];
    for (let i = 0; i < 1000; i++) {
      const rows = 1 + (i % 3);
      const x = new Float32Array(rows * 4);
      for (let k = 0; k < x.length; k++) x[k] = i * 16 + k;
      pending.push(activations[i % 2]!.run([{ type: 'float32', dims: [rows, 4], data: x }]).then((out) => {
        if (out.type !== 'result') return false;
        const y = out.outputs['y']!;
        if (y.dims[0] !== rows || y.dims[1] !== 4) return false;
        const data = y.data as Float32Array;
        for (let k = 0; k < x.length; k++) if (data[k] !== i * 16 + k + 1) return false;
        return true;
      }));
    }
    const checks = await Promise.all(pending);
    t.equal(checks.filter((ok) => ok).length, 1000, 'every result is its own input + 1, with its own shape');
  } finally {
    await Promise.all(activations.map((a) => a.close()));
  }
});

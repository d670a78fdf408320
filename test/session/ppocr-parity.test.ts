import t from 'tap';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { CLS_MODEL, DET_MODEL, REC_MODEL } from '../fixtures/models.js';
import { pseudoImage as image } from '../fixtures/images.js';

/** Largest |a - b| / max(|b|, 1e-6)... on a relative scale that tolerates values near zero: |a-b| <= 1e-5 * max(|b|, 1). */
function worstRelative(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1));
  return worst;
}

const cases: Array<[string, string, number[]]> = [
  ['detection', DET_MODEL, [1, 3, 256, 384]],
  ['recognition', REC_MODEL, [1, 3, 48, 320]],
  ['classifier', CLS_MODEL, [1, 3, 48, 192]],
];

for (const [what, path, shape] of cases) {
  t.test(`PP-OCRv4 ${what}: Session outputs equal plain onnxruntime-node's within 1e-5 relative`, async (t) => {
    const input = image(shape, 42);
    const reference = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
    const inputName = reference.inputNames[0]!;
    const expected = await reference.run({ [inputName]: new ort.Tensor('float32', input.slice(), shape) });
    await reference.release();

    const session = new Session(path);
    t.teardown(() => session.close());
    const got = await session.run({ [inputName]: { data: input.slice(), shape } });
    t.same(Object.keys(got).sort(), Object.keys(expected).sort(), 'same output names');
    for (const [name, tensor] of Object.entries(expected)) {
      const mine = got[name]!;
      t.same(mine.shape, [...tensor.dims], `${name}: shape ${tensor.dims.join('x')}`);
      t.equal(mine.dtype, tensor.type, `${name}: dtype`);
      const worst = worstRelative(mine.data as Float32Array, tensor.data as Float32Array);
      t.ok(worst <= 1e-5, `${name}: worst relative difference ${worst.toExponential(2)} <= 1e-5`);
    }
  });
}

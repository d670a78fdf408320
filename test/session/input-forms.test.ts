import t from 'tap';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { identityModel, twoInputModel } from '../fixtures/models.js';

t.test('inputs as a bare typed array, {data, shape}, {data, dims} and an onnxruntime Tensor all run', async (t) => {
  const session = new Session(identityModel('float32', [2, 3]));
  t.teardown(() => session.close());
  const values = [1, 2, 3, 4, 5, 6];
  const forms: Record<string, () => unknown> = {
    'bare typed array': () => Float32Array.from(values),
    '{data, shape}': () => ({ data: Float32Array.from(values), shape: [2, 3] }),
    '{data, dims}': () => ({ data: Float32Array.from(values), dims: [2, 3] }),
    'onnxruntime Tensor': () => new ort.Tensor('float32', Float32Array.from(values), [2, 3]),
  };
  for (const [form, make] of Object.entries(forms)) {
    const out = await session.run({ x: make() as Float32Array });
    t.same([...(out['y']!.data as Float32Array)], values, `${form}: values`);
    t.same(out['y']!.shape, [2, 3], `${form}: shape`);
  }
});

t.test('a two-input model with mixed dtypes and a symbolic dim gets each input to its place', async (t) => {
  const session = new Session(twoInputModel());
  t.teardown(() => session.close());
  const out = await session.run({
    c: { data: new BigInt64Array([7n, -9n, 2n ** 62n]), shape: [3] },
    a: new Float32Array([1, 2, 3, 4]),
    b: { data: new Float32Array([10, 20, 30, 40]), shape: [2, 2] },
  });
  t.same([...(out['sum']!.data as Float32Array)], [11, 22, 33, 44]);
  t.same([...(out['ids']!.data as BigInt64Array)], [7n, -9n, 2n ** 62n]);
  t.same(out['ids']!.shape, [3]);
  t.equal(out['ids']!.dtype, 'int64');
});

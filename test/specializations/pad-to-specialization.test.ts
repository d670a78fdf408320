import t from 'tap';
import { padToSpecialization, type AllowedShape } from '../../lib/specializations.js';

const allowed: AllowedShape[] = [
  { graph: 'seq32', inputs: { ids: [1, 32], mask: [1, 32] } },
  { graph: 'seq8', inputs: { ids: [1, 8], mask: [1, 8] } },
  { graph: 'seq128', inputs: { ids: [1, 128], mask: [1, 128] } },
];

t.test('picks the smallest specialization that holds the input and pads at the end of each axis', async (t) => {
  const ids = BigInt64Array.from([5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 13n, 14n]);
  const mask = BigInt64Array.from(Array.from({ length: 10 }, () => 1n));
  const padded = padToSpecialization(allowed, { ids: { data: ids, shape: [1, 10] }, mask: { data: mask, shape: [1, 10] } });
  t.equal(padded.graph, 'seq32', 'not seq8 (too small), not seq128 (larger)');
  t.same(padded.original, { ids: [1, 10], mask: [1, 10] });
  t.same(padded.inputs.ids!.shape, [1, 32]);
  const out = padded.inputs.ids!.data as BigInt64Array;
  t.equal(out.length, 32);
  t.same([...out.subarray(0, 10)], [...ids]);
  t.ok(out.subarray(10).every((v) => v === 0n), 'zeros after');
  t.ok((padded.inputs.mask!.data as BigInt64Array).subarray(10).every((v) => v === 0n), 'mask 0 over the padding');
  t.same([...ids], [5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 13n, 14n], "the caller's array is unchanged");
});

t.test('pads inner axes row by row (an image into a larger one) with the value given', async (t) => {
  const images: AllowedShape[] = [{ graph: '3x4', inputs: { x: [1, 3, 4] } }];
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const padded = padToSpecialization(images, { x: { data: x, shape: [1, 2, 3] } }, -1);
  t.same([...(padded.inputs.x!.data as Float32Array)], [1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1, -1]);
});

t.test('what cannot be padded is a typed error', async (t) => {
  const tooLong = (): unknown => padToSpecialization(allowed, { ids: { data: new BigInt64Array(200), shape: [1, 200] }, mask: { data: new BigInt64Array(200), shape: [1, 200] } });
  t.throws(tooLong, { code: 'QAIC_INPUT_SHAPE', message: /Allowed shapes: seq32/ });
  t.throws(() => padToSpecialization(allowed, { ids: new BigInt64Array(4), mask: new BigInt64Array(4) }), { code: 'QAIC_INPUT_SHAPE' }, 'no shape given');
  t.throws(() => padToSpecialization(allowed, { ids: { data: new BigInt64Array(4), shape: [1, 4] } }), { code: 'QAIC_INPUT_SHAPE' }, 'an input missing');
  t.throws(() => padToSpecialization(allowed, { ids: { data: new BigInt64Array(4), shape: [4] }, mask: { data: new BigInt64Array(4), shape: [4] } }), { code: 'QAIC_INPUT_SHAPE' }, 'another rank');
  t.throws(() => padToSpecialization(allowed, {}, Number.NaN), { code: 'QAIC_INVALID_ARGUMENT' });
});

// Negative int32 and enum values are sign-extended to 10-byte varints, as protobuf writes them; 64-bit values keep
// all 64 bits (numbers when they are safe integers, bigints beyond).
import t from 'tap';
import { decodeModel, decodeTensor, encodeModel, encodeTensor } from '../../lib/onnx/model.js';
import { bytes, lenField, stringField, varint, varintField } from './wire.js';

t.test('a negative int32 takes 10 bytes and decodes to the same number', async (t) => {
  const file = bytes(varintField(2, -1), stringField(8, 'x'));
  t.equal(file.length, 1 + 10 + 3);
  const tensor = decodeTensor(file);
  t.equal(tensor.data_type, -1);
  t.same(encodeTensor(tensor), file);
  t.same(encodeTensor({ data_type: -2147483648 }), bytes(varintField(2, -2147483648)), 'int32 minimum');
});

t.test('packed int32 data with the int32 extremes', async (t) => {
  const values = [-1, -2147483648, 2147483647, 0];
  const file = bytes(lenField(5, values.flatMap((v) => varint(v))));
  const tensor = decodeTensor(file);
  t.same([...tensor.int32_data!], values);
  t.same(encodeTensor(tensor), file);
});

t.test('int64 values: negative, past 2^53, the extremes', async (t) => {
  const dims = [-1, 0, 2 ** 53 - 1, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
  const int64s = [-(2n ** 63n), -1n, 2n ** 63n - 1n];
  const uint64s = [0n, 2n ** 64n - 1n, 2n ** 32n];
  const file = bytes(...dims.map((d) => varintField(1, d)), lenField(7, int64s.flatMap((v) => varint(v))),
    lenField(11, uint64s.flatMap((v) => varint(v))));
  const tensor = decodeTensor(file);
  t.same(tensor.dims, dims, 'safe integers as numbers, the rest as bigints');
  t.same(tensor.dims!.map((d) => typeof d), ['number', 'number', 'number', 'bigint', 'bigint', 'bigint']);
  t.same([...tensor.int64_data!], int64s);
  t.same([...tensor.uint64_data!], uint64s);
  t.same(encodeTensor(tensor), file);
});

t.test('values made in code: numbers and bigints give the same bytes', async (t) => {
  t.same(encodeTensor({ dims: [-5, 7n] }), bytes(varintField(1, -5), varintField(1, 7)));
  t.same(encodeTensor({ dims: [-5n, 7] }), bytes(varintField(1, -5), varintField(1, 7)));
  t.same(encodeTensor({ int64_data: [-3n, 4n] as unknown as BigInt64Array }), bytes(lenField(7, [...varint(-3), ...varint(4)])),
    'a plain array where a typed array is expected');
});

t.test('a negative INT attribute in a model', async (t) => {
  const attribute = [...stringField(1, 'axis'), ...varintField(3, -3), ...varintField(20, 2)];
  const file = bytes(varintField(1, 8), lenField(7, lenField(1, [...stringField(4, 'Softmax'), ...lenField(5, attribute)])));
  const model = decodeModel(file);
  t.equal(model.graph?.node?.[0]?.attribute?.[0]?.i, -3);
  t.same(encodeModel(model), file);
});

// Repeated numbers come back in the wire form they were read in: packed (one length-delimited run) or one element
// per tag. onnx.proto packs TensorProto's *_data fields and leaves dims, floats and ints unpacked; files written
// from the proto3 variant of onnx.proto pack everything, and must round-trip too.
import t from 'tap';
import { decodeModel, decodeTensor, encodeModel, encodeTensor } from '../../lib/onnx/model.js';
import { FIXED32, bytes, f32, floatField, lenField, stringField, tag, varint, varintField } from './wire.js';

t.test('onnx.proto forms (dims unpacked, data packed) need no record', async (t) => {
  const file = bytes(varintField(1, 2), varintField(1, 3), varintField(2, 1), lenField(4, [1, 2, 3, 4, 5, 6].flatMap(f32)),
    lenField(7, [...varint(-1), ...varint(1n << 40n)]), stringField(8, 'w'));
  const tensor = decodeTensor(file);
  t.same(tensor.dims, [2, 3]);
  t.same([...tensor.float_data!], [1, 2, 3, 4, 5, 6]);
  t.same([...tensor.int64_data!], [-1n, 1n << 40n]);
  t.equal(tensor.$packed, undefined);
  t.same(encodeTensor(tensor), file);
});

t.test('proto3 forms (dims packed, data unpacked) are recorded and written back', async (t) => {
  const file = bytes(lenField(1, [...varint(2), ...varint(300)]), varintField(2, 1),
    floatField(4, 0.5), floatField(4, -2), varintField(7, -7), varintField(7, 8), stringField(8, 'w'));
  const tensor = decodeTensor(file);
  t.same(tensor.dims, [2, 300]);
  t.same([...tensor.float_data!], [0.5, -2]);
  t.ok(tensor.float_data instanceof Float32Array, 'still a Float32Array');
  t.same([...tensor.int64_data!], [-7n, 8n]);
  t.same(tensor.$packed, { dims: true, float_data: false, int64_data: false });
  t.same(encodeTensor(tensor), file);
});

t.test('attribute lists packed or not', async (t) => {
  const packedInts = lenField(5, [...stringField(1, 'pads'), ...lenField(8, [...varint(0), ...varint(1), ...varint(-1)]), ...varintField(20, 7)]);
  const unpackedFloats = lenField(5, [...stringField(1, 'scales'), ...floatField(7, 1), ...floatField(7, 2.5), ...varintField(20, 6)]);
  const file = bytes(varintField(1, 8), lenField(7, [...lenField(1, [...stringField(4, 'Op'), ...packedInts, ...unpackedFloats])]));
  const model = decodeModel(file);
  const [ints, floats] = model.graph!.node![0]!.attribute!;
  t.same(ints!.ints, [0, 1, -1]);
  t.same(ints!.$packed, { ints: true });
  t.same(floats!.floats, [1, 2.5]);
  t.equal(floats!.$packed, undefined);
  t.same(encodeModel(model), file);
});

t.test('$packed set in code chooses the form', async (t) => {
  t.same(encodeTensor({ dims: [2, 3], $packed: { dims: true } }), bytes(lenField(1, [2, 3])));
  t.same(encodeTensor({ float_data: new Float32Array([1]), $packed: { float_data: false } }), bytes([...tag(4, FIXED32), ...f32(1)]));
  t.same(encodeTensor({ int32_data: new Int32Array([1, -1]) }), bytes(lenField(5, [1, ...varint(-1)])));
});

t.test('a field split over several runs decodes to all its elements, in order', async (t) => {
  const tensor = decodeTensor(bytes(lenField(4, [...f32(1), ...f32(2)]), floatField(4, 3), lenField(4, f32(4))));
  t.same([...tensor.float_data!], [1, 2, 3, 4]);
  t.same(encodeTensor(tensor), bytes(lenField(4, [1, 2, 3, 4].flatMap(f32))), 'and is written back as one run');
});

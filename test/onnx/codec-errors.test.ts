// Bad input is a typed error that says where: malformed bytes are QAIC_MODEL_INVALID, a message built in code with a
// value of the wrong type (or containing itself) is QAIC_INVALID_ARGUMENT naming the field's path.
import t from 'tap';
import { decodeModel, decodeTensor, encodeModel, encodeTensor } from '../../lib/onnx/model.js';
import { MAX_NESTING, WireType } from '../../lib/onnx/protobuf.js';
import type { GraphProto, ModelProto, TypeProto } from '../../lib/onnx/schema.js';
import { bytes, lenField, stringField, tag, varintField } from './wire.js';

t.test('malformed bytes', async (t) => {
  t.throws(() => decodeTensor(bytes(tag(8, 2), [5, 0x61])), { code: 'QAIC_MODEL_INVALID', message: /length 5 runs past the end/ });
  t.throws(() => decodeTensor(bytes([0x10, 0xff])), { code: 'QAIC_MODEL_INVALID', message: /truncated varint/ });
  t.throws(() => decodeTensor(bytes([0x10], new Array(10).fill(0xff), [1])), { code: 'QAIC_MODEL_INVALID', message: /longer than 10 bytes/ });
  t.throws(() => decodeTensor(bytes([0x07])), { code: 'QAIC_MODEL_INVALID', message: /field number 0/ });
  t.throws(() => decodeTensor(bytes([0x0e])), { code: 'QAIC_MODEL_INVALID', message: /invalid wire type 6/ });
  t.throws(() => decodeTensor(bytes(lenField(4, [0, 0, 0]))), { code: 'QAIC_MODEL_INVALID', message: /packed float field of 3 bytes/ });
  t.throws(() => decodeTensor(bytes(lenField(7, [0x80]))), { code: 'QAIC_MODEL_INVALID' }, 'a packed run ending inside a varint');
  // a sub-message's fields may not run past the sub-message, even when the parent has more bytes
  t.throws(() => decodeModel(bytes(lenField(7, tag(2, 2)), stringField(2, 'abc')), 'm.onnx'), { code: 'QAIC_MODEL_INVALID', message: /m\.onnx/ });
});

t.test('nesting deeper than the limit', async (t) => {
  let type: number[] = varintField(6, 1);
  for (let i = 0; i <= MAX_NESTING + 1; i++) type = lenField(4, lenField(1, type)); // sequence_type.elem_type, nested
  const file = bytes(varintField(1, 8), lenField(7, lenField(11, [...stringField(1, 'x'), ...lenField(2, type)])));
  t.throws(() => decodeModel(file), { code: 'QAIC_MODEL_INVALID', message: /nested deeper than 100/ });

  const loop: GraphProto = { name: 'g', node: [] };
  loop.node!.push({ op_type: 'If', attribute: [{ name: 'then_branch', type: 5, g: loop }] });
  t.throws(() => encodeModel({ ir_version: 8, graph: loop }), { code: 'QAIC_INVALID_ARGUMENT', message: /nested deeper than 100/ });
  const deep: TypeProto = {};
  let at = deep;
  for (let i = 0; i < 10; i++) at = (at.sequence_type = { elem_type: {} }).elem_type!;
  t.ok(encodeModel({ ir_version: 8, graph: { input: [{ name: 'x', type: deep }] } }).length > 0, 'ordinary nesting is fine');
});

t.test('values of the wrong type name their field', async (t) => {
  const bad = (m: unknown) => () => encodeModel(m as ModelProto);
  t.throws(bad({ graph: { node: 'Relu' } }), { code: 'QAIC_INVALID_ARGUMENT', message: /ModelProto\.graph\.node: expected an array, got string Relu/ });
  t.throws(bad({ graph: { node: [{ input: ['a', 3] }] } }), { message: /ModelProto\.graph\.node\[0\]\.input\[1\]: expected a string, got number 3/ });
  t.throws(bad({ graph: { initializer: [{ raw_data: [1, 2] }] } }), { message: /initializer\[0\]\.raw_data: expected a Uint8Array \(or a string, written as UTF-8\), got an array/ });
  t.throws(bad({ ir_version: '8' }), { message: /ModelProto\.ir_version: expected a number, got string 8/ });
  t.throws(bad({ graph: [] }), { message: /ModelProto\.graph: expected a GraphProto message object, got an array/ });
  t.throws(() => encodeTensor({ dims: 3 as never }), { message: /TensorProto\.dims: expected an array or typed array/ });
  t.throws(() => encodeTensor({ $unknown: [{ no: 9, wireType: WireType.Fixed32, value: new Uint8Array(3) }] }),
    { code: 'QAIC_INVALID_ARGUMENT', message: /not a valid unknown field/ });
});

t.test('a string where bytes are expected is not an error: it is written as UTF-8', async (t) => {
  t.same(encodeTensor({ string_data: ['é', 'ab'] as never, raw_data: 'x' as never }),
    bytes(lenField(6, [0xc3, 0xa9]), lenField(6, [0x61, 0x62]), stringField(9, 'x')));
});

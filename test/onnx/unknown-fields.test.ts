// Fields the schema does not know survive decode-encode at the place they were read: between known fields (as a
// newer ONNX writer puts them, in number order), after all of them (as a protobuf runtime that did not know them
// writes them back), or before all of them; every wire type, in nested messages too.
import t from 'tap';
import { decodeModel, encodeModel } from '../../lib/onnx/model.js';
import { WireType } from '../../lib/onnx/protobuf.js';
import type { ModelProto } from '../../lib/onnx/schema.js';
import {
  END_GROUP, FIXED32, FIXED64, START_GROUP, bytes, f32, lenField, stringField, tag, varint, varintField,
} from './wire.js';

// ModelProto knows 1-8, 14 and 25; 9, 20 and 99 are unknown to it. A graph needs a node to be worth keeping.
const graph = lenField(7, [...lenField(1, [...stringField(4, 'Relu')]), ...stringField(2, 'g')]);
const opset = lenField(8, [...stringField(1, ''), ...varintField(2, 17)]);

t.test('unknown fields between known ones, in field-number order', async (t) => {
  const file = bytes(varintField(1, 8), graph, opset, varintField(9, 5), stringField(14 /* known: metadata */, ''),
    stringField(20, 'future'), lenField(25, []));
  const model = decodeModel(file);
  t.same(model.$unknown?.map((u) => [u.no, u.after]), [[9, 8], [20, 14]], 'each remembers the known field before it');
  t.same(encodeModel(model), file);
});

t.test('unknown fields after all known ones, even lower-numbered', async (t) => {
  const file = bytes(varintField(1, 8), graph, opset, lenField(25, []), stringField(20, 'kept'), varintField(9, 1));
  t.same(encodeModel(decodeModel(file)), file);
});

t.test('an unknown field before every known one', async (t) => {
  const file = bytes(varintField(99, 1), varintField(1, 8), graph);
  const model = decodeModel(file);
  t.equal(model.$unknown?.[0]?.after, 0);
  t.same(encodeModel(model), file);
});

t.test('every wire type, inside nested messages', async (t) => {
  const big = (1n << 64n) - 3n;
  const group = [...tag(30, START_GROUP), ...varintField(1, 7), ...stringField(2, 'in group'), ...tag(30, END_GROUP)];
  // an attribute (inside a node, inside the graph) carrying unknown fields of each wire type
  const attribute = [...stringField(1, 'alpha'), ...varintField(20, 1),
    ...tag(40, FIXED64), ...[1, 2, 3, 4, 5, 6, 7, 8], ...tag(41, FIXED32), ...f32(1.5),
    ...tag(42, 0), ...varint(big), ...group, ...lenField(43, [0xff, 0x00])];
  const node = lenField(1, [...stringField(4, 'LeakyRelu'), ...lenField(5, attribute)]);
  const file = bytes(varintField(1, 8), lenField(7, [...node, ...stringField(2, 'g')]));
  const model = decodeModel(file);
  const unknown = model.graph?.node?.[0]?.attribute?.[0]?.$unknown ?? [];
  t.same(unknown.map((u) => u.wireType), [WireType.Fixed64, WireType.Fixed32, WireType.Varint, WireType.StartGroup, WireType.LengthDelimited]);
  t.equal(unknown[2]?.value, big, 'a varint above 2^63 is kept whole');
  t.same(encodeModel(model), file);
});

t.test('a known field number with another wire type is kept as unknown', async (t) => {
  // ir_version is a varint; here it comes as bytes
  const file = bytes(lenField(1, [1, 2, 3]), varintField(1, 8), graph);
  const model = decodeModel(file);
  t.equal(model.ir_version, 8);
  t.same(model.$unknown?.map((u) => [u.no, u.wireType, u.after]), [[1, WireType.LengthDelimited, 0]]);
  t.same(encodeModel(model), file);
});

t.test('edits keep unknown fields in place; fields made in code go last', async (t) => {
  const file = bytes(varintField(1, 8), stringField(3, 'v1'), varintField(9, 5), graph);
  const model: ModelProto = decodeModel(file);
  model.producer_name = 'edited'; // field 2: before the unknown 9 (which followed field 3)
  model.$unknown!.push({ no: 99, wireType: WireType.Varint, value: 1n });
  t.same(encodeModel(model), bytes(varintField(1, 8), stringField(2, 'edited'), stringField(3, 'v1'), varintField(9, 5), graph,
    varintField(99, 1)));
});

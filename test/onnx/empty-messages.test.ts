// Empty messages, strings and byte fields that are present stay present (a scalar's shape is an empty TensorShape,
// not a missing one), and a message with nothing set encodes to no bytes.
import t from 'tap';
import { decodeModel, decodeTensor, encodeModel, encodeTensor, modelIO } from '../../lib/onnx/model.js';
import { decodeMessage, encodeMessage } from '../../lib/onnx/protobuf.js';
import { GraphSchema } from '../../lib/onnx/schema.js';
import { bytes, lenField, stringField, varintField } from './wire.js';

t.test('no bytes decode to an empty message, which encodes to no bytes', async (t) => {
  t.same(decodeMessage(GraphSchema, new Uint8Array(0)), {});
  t.equal(encodeMessage(GraphSchema, {}).length, 0);
  t.equal(encodeTensor({}).length, 0);
});

t.test('an empty shape (a scalar) stays present', async (t) => {
  const scalar = lenField(11, [...stringField(1, 's'), ...lenField(2, lenField(1, [...varintField(1, 1), ...lenField(2, [])]))]);
  const unknownRank = lenField(12, [...stringField(1, 'u'), ...lenField(2, lenField(1, varintField(1, 1)))]);
  const file = bytes(varintField(1, 8), lenField(7, [...lenField(1, stringField(4, 'Identity')), ...scalar, ...unknownRank]));
  const model = decodeModel(file);
  const io = modelIO(model);
  t.same(io.inputs[0]?.shape, [], 'scalar: rank 0');
  t.equal(io.outputs[0]?.shape, null, 'no shape: rank unknown');
  t.same(encodeModel(model), file);
});

t.test('empty strings and bytes stay present; empty lists write nothing', async (t) => {
  const file = bytes(stringField(8, ''), lenField(9, []));
  const tensor = decodeTensor(file);
  t.equal(tensor.name, '');
  t.equal(tensor.raw_data?.length, 0);
  t.same(encodeTensor(tensor), file);
  t.equal(encodeTensor({ dims: [], float_data: new Float32Array(0), string_data: [], external_data: [] }).length, 0);
});

t.test('empty sub-messages in a list are kept, each one', async (t) => {
  const file = bytes(lenField(1, []), lenField(1, []), stringField(2, 'g'));
  const graph = decodeMessage(GraphSchema, file);
  t.same(graph['node'], [{}, {}]);
  t.same(encodeMessage(GraphSchema, graph), file);
});

import t from 'tap';
import { decodeModel, encodeModel, modelIO } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { WireType } from '../../lib/onnx/protobuf.js';

t.test('a built model decodes to the same graph and keeps unknown fields', async (t) => {
  const m = model(graph({
    nodes: [node('Add', ['a', 'b'], ['c'])],
    inputs: [tensorInfo('a', 'float32', ['N', 4]), tensorInfo('b', 'float32', ['N', 4])],
    outputs: [tensorInfo('c', 'float32', ['N', 4])],
  }));
  // a field number this codec does not know (as a future ONNX version might add)
  m.$unknown = [{ no: 99, wireType: WireType.LengthDelimited, value: new TextEncoder().encode('future') }];
  const bytes = encodeModel(m);
  const back = decodeModel(bytes);
  t.same(modelIO(back).inputs.map((s) => s.shape), [['N', 4], ['N', 4]]);
  t.equal(back.$unknown?.length, 1);
  t.equal(new TextDecoder().decode(back.$unknown![0]!.value as Uint8Array), 'future');
  t.same(encodeModel(back), bytes, 're-encoding is byte-identical');
});

t.test('garbage bytes are a typed model error', async (t) => {
  t.throws(() => decodeModel(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx'), { code: 'QAIC_MODEL_INVALID' });
});

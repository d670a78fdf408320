// Large models built in code: weights of several MiB inline (lengths of 4-byte varints, a buffer far past any
// initial size) and many initializers kept in external data files, round-trip exactly.
import t from 'tap';
import { decodeModel, encodeModel, tensorDataBytes } from '../../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { OnnxDataType, type TensorProto } from '../../lib/onnx/schema.js';

const MIB = 1024 * 1024;

/** Deterministic float32 values that differ per seed (so a weight written in another's place would show). */
function weights(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 4294967296;
  }
  return out;
}

function bigModel() {
  const inline = [0, 1, 2].map((i) => initializer(`w${i}`, 'float32', [MIB], weights(MIB, i + 1))); // 4 MiB each
  const external: TensorProto[] = [];
  for (let i = 0; i < 2000; i++) {
    external.push({
      name: `e${i}`, dims: [256], data_type: OnnxDataType.FLOAT, data_location: 1,
      external_data: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: String(i * 1024) }, { key: 'length', value: '1024' }],
    });
  }
  const nodes = [node('Add', ['x', 'w0'], ['a']), node('Add', ['a', 'w1'], ['b']), node('Add', ['b', 'w2'], ['y'])];
  return model(graph({
    nodes, inputs: [tensorInfo('x', 'float32', [MIB])], outputs: [tensorInfo('y', 'float32', [MIB])],
    initializers: [...inline, ...external],
  }));
}

t.test('inline weights of several MiB and 2000 external initializers', async (t) => {
  const built = bigModel();
  const encoded = encodeModel(built);
  t.ok(encoded.length > 12 * MIB, 'holds the three 4 MiB weights');
  const decoded = decodeModel(encoded);
  const inits = decoded.graph!.initializer!;
  t.equal(inits.length, 2003);
  for (let i = 0; i < 3; i++) {
    const raw = inits[i]!.raw_data!;
    const expected = weights(MIB, i + 1);
    t.equal(Buffer.compare(raw, new Uint8Array(expected.buffer)), 0, `w${i}'s bytes`);
  }
  t.same(inits[2002]!.external_data, [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '2046976' }, { key: 'length', value: '1024' }]);
  t.equal(inits.slice(3).reduce((s, e) => s + tensorDataBytes(e), 0), 2000 * 1024, 'external lengths');
  t.equal(Buffer.compare(encodeModel(decoded), encoded), 0, 're-encoding gives the same bytes');
});

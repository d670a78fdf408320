import t from 'tap';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { raiseToOpset10 } from '../../../lib/compiler/quant/opset10.js';
import { graph, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { decodeModel, encodeModel, tensorData } from '../../../lib/onnx/model.js';

// Raising an opset-9 Slice to opset 10 turns its int64 attributes into int64 initializers. INT64_MAX is how exporters
// write "to the end": it must reach the initializer exactly (a trip through Number rounds it to 2^63, which wraps to
// INT64_MIN in a BigInt64Array and empties the slice).

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
const INT64_MAX = 2n ** 63n - 1n;

async function run(bytes: Uint8Array, x: Float32Array): Promise<{ data: number[]; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const y = (await session.run({ x: new ort.Tensor('float32', x, [2, 6]) }))['y']!;
    return { data: [...(y.data as Float32Array)], dims: y.dims };
  } finally {
    await session.release();
  }
}

t.test('a Slice to INT64_MAX still slices to the end after the raise to opset 10', async (t) => {
  const m = model(graph({
    nodes: [node('Slice', ['x'], ['y'], { starts: { ints: [0, 1] }, ends: { ints: [INT64_MAX, INT64_MAX] }, axes: { ints: [0, 1] } }, { name: 'cut' })],
    inputs: [tensorInfo('x', 'float32', [2, 6])],
    outputs: [tensorInfo('y', 'float32', [2, 5])],
  }), { opset: 9 });
  // decoded from bytes, as a model file is read: INT64_MAX comes back as a bigint (it is no safe integer)
  const read = decodeModel(encodeModel(m));
  t.equal(raiseToOpset10(read, (base) => base), true, 'raised');
  const ends = read.graph!.initializer!.find((i) => i.name === 'cut_ends')!;
  t.same([...tensorData(ends).data as BigInt64Array], [INT64_MAX, INT64_MAX], 'the ends initializer holds INT64_MAX exactly');

  const x = Float32Array.from({ length: 12 }, (_, i) => i);
  const expected = { data: [1, 2, 3, 4, 5, 7, 8, 9, 10, 11], dims: [2, 5] };
  t.same(await run(encodeModel(m), x), expected, 'onnxruntime on the opset-9 model: x[:, 1:]');
  t.same(await run(encodeModel(read), x), expected, 'onnxruntime on the raised model: the same slice');
});

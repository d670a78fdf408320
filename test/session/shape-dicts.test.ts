import t from 'tap';
import { Session } from '../../lib/session.js';
import { twoInputModel } from '../fixtures/models.js';

const expectedIn = { a: [[2, 2], 'float32'], b: [[2, 2], 'float32'], c: [['N'], 'int64'] };
const expectedOut = { sum: [[2, 2], 'float32'], ids: [['N'], 'int64'] };

t.test('shape dicts before and after activation, camel and snake names', async (t) => {
  const session = new Session(twoInputModel());
  t.teardown(() => session.close());
  t.same(session.modelInputShapeDict, expectedIn, 'inputs before activation');
  t.same(session.modelOutputShapeDict, expectedOut, 'outputs before activation');
  t.same(session.model_input_shape_dict, expectedIn);
  t.same(session.model_output_shape_dict, expectedOut);
  t.same(Object.keys(session.modelInputShapeDict), ['a', 'b', 'c'], 'in model order');
  t.equal(session._pool, undefined, 'reading them does not activate');
  await session.setup();
  t.same(session.modelInputShapeDict, expectedIn, 'inputs after activation');
  t.same(session.model_output_shape_dict, expectedOut, 'outputs after activation');
});

t.test('onnx_define_symbol values replace symbolic dims in the dicts and in input checks', async (t) => {
  const session = new Session(twoInputModel(), { onnx_define_symbol: { N: 3 } });
  t.teardown(() => session.close());
  t.same(session.modelInputShapeDict['c'], [[3], 'int64']);
  await session.setup();
  t.same(session.modelInputShapeDict['c'], [[3], 'int64']);
  t.same(session.modelOutputShapeDict['ids'], [[3], 'int64']);
  const out = await session.run({ a: new Float32Array(4), b: new Float32Array(4), c: new BigInt64Array([1n, 2n, 3n]) });
  t.same([...(out['ids']!.data as BigInt64Array)], [1n, 2n, 3n], 'a bare array works once the symbol is fixed');
  await t.rejects(session.run({ a: new Float32Array(4), b: new Float32Array(4), c: { data: new BigInt64Array(2), shape: [2] } }), { code: 'QAIC_INPUT_SHAPE', message: /dimension 0 = 2.*expected 3/ });
});

t.test('compile: false: the dicts read before activation are the loaded graph\'s specs', async (t) => {
  const path = twoInputModel();
  const session = new Session(path, { compile: false, onnx_define_symbol: { N: 3 } });
  t.teardown(() => session.close());
  const before = { ...expectedIn, c: [[3], 'int64'] };
  t.same(session.modelInputShapeDict, before, 'inputs before activation');
  await session.setup();
  t.equal(session.graph?.modelPath, path, 'the model loads as it is');
  t.same(session.graph?.inputs.map((s) => s.name), ['a', 'b', 'c'], 'the prepared graph has the model\'s inputs');
  t.same(session.modelInputShapeDict, before, 'inputs after activation');
  t.same(session.modelOutputShapeDict, { ...expectedOut, ids: [[3], 'int64'] }, 'outputs after activation');
  t.equal(session.batchSize, 2, 'batch size from the first input');
  const out = await session.run({ a: new Float32Array(4).fill(1), b: new Float32Array(4).fill(2), c: new BigInt64Array([4n, 5n, 6n]) });
  t.same([...(out['sum']!.data as Float32Array)], [3, 3, 3, 3]);
  t.same([...(out['ids']!.data as BigInt64Array)], [4n, 5n, 6n]);
});

import t from 'tap';
import { convertToFp16 } from '../../../lib/compiler/fp16/index.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { OnnxDataType } from '../../../lib/onnx/schema.js';
import { chainModel, ort, runModel, values } from './helpers.js';

t.test('nodes listed by name or op type keep float32, with their weights at full precision', async (t) => {
  const { model, report } = convertToFp16(chainModel(), { keepOriginalPrecisionFor: ['conv0', 'Softmax', 'NoSuchNode'] });
  t.same(report.keptNodes.map((k) => [k.name, k.reason]), [['conv0', 'user'], ['softmax0', 'user']]);
  t.same(report.unmatchedKeep, ['NoSuchNode'], 'a typo is reported, not silently ignored');
  const inits = new Map((model.graph!.initializer ?? []).map((i) => [i.name, i.data_type]));
  t.equal(inits.get('conv_w'), OnnxDataType.FLOAT, 'the kept Conv reads its original float32 weight');
  t.equal(inits.get('conv_b'), OnnxDataType.FLOAT);
  t.notOk(inits.has('fc_w'), 'the MatMul weight is stored only as float16');
  t.equal(inits.get('fc_w__fp16'), OnnxDataType.FLOAT16);
  const conv = model.graph!.node!.find((n) => n.name === 'conv0')!;
  t.same(conv.input, ['x', 'conv_w', 'conv_b'], 'the kept Conv reads x and its weights directly');
  const out = await runModel(model, { x: new ort.Tensor('float32', values(192, 7), [1, 3, 8, 8]) });
  t.same(out.y!.dims, [1, 10]);
});

t.test('float arithmetic that computes a shape stays float32 (float16 would change the size)', async (t) => {
  // sizes = [1, 1, 4, ceil(W * 1.0004)]: W = 2000 gives 2001, but 1.0004 is 1.0 in float16, which would give 2000.
  const m = model(graph({
    nodes: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'three'], ['w_i']),
      node('Cast', ['w_i'], ['w_f'], { to: { i: 1 } }),
      node('Mul', ['w_f', 'factor'], ['w_scaled'], {}, { name: 'scale_width' }),
      node('Ceil', ['w_scaled'], ['w_ceil']),
      node('Cast', ['w_ceil'], ['w_new'], { to: { i: 7 } }),
      node('Concat', ['lead', 'w_new'], ['sizes'], { axis: { i: 0 } }),
      node('Resize', ['x', '', '', 'sizes'], ['y'], { mode: { s: 'nearest' } }),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 1, 4, 2000])],
    outputs: [tensorInfo('y', 'float32', null)],
    initializers: [
      initializer('three', 'int64', [1], BigInt64Array.from([3n])),
      initializer('factor', 'float32', [1], Float32Array.from([1.0004])),
      initializer('lead', 'int64', [3], BigInt64Array.from([1n, 1n, 4n])),
    ],
  }), { opset: 17 });
  const { model: converted, report } = convertToFp16(m);
  const shapeNodes = report.keptNodes.filter((k) => k.reason === 'shape').map((k) => k.opType);
  t.ok(shapeNodes.includes('Mul') && shapeNodes.includes('Ceil'), `shape nodes kept: ${shapeNodes.join(', ')}`);
  t.equal((converted.graph!.initializer ?? []).find((i) => i.name === 'factor')?.data_type, OnnxDataType.FLOAT, 'factor stays float32');
  const out = await runModel(converted, { x: new ort.Tensor('float32', values(8000, 3), [1, 1, 4, 2000]) });
  t.same(out.y!.dims, [1, 1, 4, 2001], 'the size is computed in float32');
  t.same(report.float32Ops, { Resize: 1 }, 'Resize computes in float32 between casts');
});

t.test('onnxruntime contrib operators (com.microsoft) compute in float32 between casts', async (t) => {
  const m = model(graph({
    nodes: [
      node('Relu', ['x'], ['r']),
      node('Gelu', ['r'], ['g'], {}, { name: 'ms_gelu', domain: 'com.microsoft' }),
      node('Transpose', ['g'], ['y']),
    ],
    inputs: [tensorInfo('x', 'float32', [2, 3])],
    outputs: [tensorInfo('y', 'float32', [3, 2])],
  }), { extraOpsets: { 'com.microsoft': 1 } });
  const { model: converted, report } = convertToFp16(m);
  t.same(report.float16Ops, { Transpose: 1 });
  t.same(report.float32Ops, { Relu: 1, Gelu: 1 });
  const out = await runModel(converted, { x: new ort.Tensor('float32', Float32Array.from([1, -1, 2, 0, 3, -2]), [2, 3]) });
  t.same(out.y!.dims, [3, 2]);
});

t.test('sequence-typed values are never cast: nodes reading them stay float32', async (t) => {
  const m = model(graph({
    nodes: [
      node('Relu', ['a'], ['ra']),
      node('SequenceConstruct', ['ra', 'b'], ['seq']),
      node('ConcatFromSequence', ['seq'], ['cat'], { axis: { i: 0 } }),
      node('Transpose', ['cat'], ['y']),
    ],
    inputs: [tensorInfo('a', 'float32', [1, 3]), tensorInfo('b', 'float32', [1, 3])],
    outputs: [tensorInfo('y', 'float32', [3, 2])],
  }), { opset: 17 });
  for (const roundActivations of [false, true]) {
    const { model: converted, report } = convertToFp16(m, { roundActivations });
    t.same(report.keptNodes.map((k) => [k.opType, k.reason]), [['SequenceConstruct', 'unknown-type'], ['Transpose', 'unknown-type']]);
    const feeds = { a: new ort.Tensor('float32', Float32Array.from([1, -2, 3]), [1, 3]), b: new ort.Tensor('float32', Float32Array.from([4, 5, 6]), [1, 3]) };
    t.same([...((await runModel(converted, feeds)).y!.data as Float32Array)], [1, 4, 0, 5, 3, 6], `roundActivations ${roundActivations}`);
  }
});

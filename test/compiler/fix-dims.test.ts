import t from 'tap';
import { fixDims, allSymbols } from '../../lib/compiler/fix-dims.js';
import { decodeModel, encodeModel, modelIO } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { WireType } from '../../lib/onnx/protobuf.js';
import { resolveOptions } from '../../lib/options.js';
import type { ModelProto } from '../../lib/onnx/schema.js';

/** y = x + b with x [batch, seq, 4], b [seq, 4] -> y [batch, seq, 4], plus a value_info using 'seq'. */
function symbolic(): ModelProto {
  return model(graph({
    nodes: [node('Add', ['x', 'b'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['batch', 'seq', 4]), tensorInfo('b', 'float32', ['seq', 4])],
    outputs: [tensorInfo('y', 'float32', ['batch', 'seq', 4])],
    valueInfo: [tensorInfo('y', 'float32', ['batch', 'seq', 4])],
  }));
}

t.test('dict form fixes every occurrence in inputs, outputs and value_info', async (t) => {
  const m = symbolic();
  const result = fixDims(m, { batch: 2, seq: 5 }, undefined, 'm.onnx');
  const io = modelIO(m);
  t.same(io.inputs.map((i) => i.shape), [[2, 5, 4], [5, 4]]);
  t.same(io.outputs[0]!.shape, [2, 5, 4]);
  t.same(m.graph!.value_info![0]!.type!.tensor_type!.shape!.dim!.map((d) => d.dim_value), [2, 5, 4]);
  t.same(result.fixed.find((f) => f.symbol === 'seq'), { symbol: 'seq', value: 5, dims: 4, from: 'onnx_define_symbol' }, 'seq appears 4 times');
  t.same(result.leftSymbolic, []);
});

t.test('the list-of-pairs form (the Python doc) resolves to the same definitions', async (t) => {
  const resolved = resolveOptions({ onnx_define_symbol: [['batch', 3], ['seq', 7]], compile: false });
  const m = symbolic();
  fixDims(m, resolved.onnx_define_symbol, undefined, 'm.onnx');
  t.same(modelIO(m).inputs[0]!.shape, [3, 7, 4]);
});

t.test('dims left symbolic are reported, per input and output axis', async (t) => {
  const m = symbolic();
  const result = fixDims(m, { batch: 1 }, undefined, 'm.onnx');
  t.same(result.leftSymbolic, [
    { value: 'x', kind: 'input', axis: 1, symbol: 'seq' },
    { value: 'b', kind: 'input', axis: 0, symbol: 'seq' },
    { value: 'y', kind: 'output', axis: 1, symbol: 'seq' },
  ]);
});

t.test('batchsize binds a named first dim everywhere and fixes an anonymous first dim on its input', async (t) => {
  const m = model(graph({
    nodes: [node('Add', ['x', 'z'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['N', 4]), tensorInfo('z', 'float32', [null, 4])],
    outputs: [tensorInfo('y', 'float32', ['N', 4])],
  }));
  const result = fixDims(m, {}, 8, 'm.onnx');
  const io = modelIO(m);
  t.same(io.inputs.map((i) => i.shape), [[8, 4], [8, 4]]);
  t.same(io.outputs[0]!.shape, [8, 4]);
  t.same(result.batchFixedInputs, ['z']);
  t.same(result.fixed, [{ symbol: 'N', value: 8, dims: 2, from: 'batchsize' }]);
});

t.test('the rewrite keeps fields it does not understand', async (t) => {
  const m = symbolic();
  m.$unknown = [{ no: 99, wireType: WireType.LengthDelimited, value: new TextEncoder().encode('future') }];
  m.graph!.input![0]!.type!.tensor_type!.shape!.dim![0]!.denotation = 'DATA_BATCH';
  const back = decodeModel(encodeModel(m));
  fixDims(back, { batch: 1, seq: 2 }, undefined, 'm.onnx');
  const again = decodeModel(encodeModel(back));
  t.equal(again.$unknown?.length, 1);
  t.equal(again.graph!.input![0]!.type!.tensor_type!.shape!.dim![0]!.denotation, 'DATA_BATCH');
  t.same(allSymbols(again), []);
});

t.test('a symbol the model does not have names the model symbols', async (t) => {
  t.throws(() => fixDims(symbolic(), { bacth: 1 }, undefined, "'m.onnx'"), {
    code: 'QAIC_UNKNOWN_SYMBOL',
    message: /onnx_define_symbol names 'bacth', but 'm.onnx' has the symbols 'batch', 'seq'/,
  });
});

t.test('batchsize and onnx_define_symbol disagree on the batch symbol', async (t) => {
  t.throws(() => fixDims(symbolic(), { batch: 2 }, 4, 'm.onnx'), { code: 'QAIC_INVALID_OPTION', message: /batchsize 4 .* 'batch' the value 2/ });
});

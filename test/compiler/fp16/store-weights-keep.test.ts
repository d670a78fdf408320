import t from 'tap';
import { storeWeightsAsFloat16 } from '../../../lib/compiler/fp16/store-weights.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { OnnxDataType } from '../../../lib/onnx/schema.js';

// An int8 program's scales must stay float32 constants (onnxruntime's QLinearConv and DequantizeLinear take no Cast
// output there), even when every value is a float16 value, as power-of-2 scales are: `keep` names them.

t.test('initializers named in keep stay float32; other float16-exact ones are stored as float16', async (t) => {
  const powers = Float32Array.from({ length: 16 }, (_, i) => 2 ** -(i + 1));
  const m = model(graph({
    nodes: [node('Mul', ['x', 'scale'], ['a']), node('Mul', ['a', 'weight'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [16])],
    outputs: [tensorInfo('y', 'float32', [16])],
    initializers: [initializer('scale', 'float32', [16], powers), initializer('weight', 'float32', [16], powers.slice())],
  }));
  const { model: out, report } = storeWeightsAsFloat16(m, { keep: new Set(['scale']) });
  const types = new Map((out.graph?.initializer ?? []).map((i) => [i.name, i.data_type]));
  t.equal(types.get('scale'), OnnxDataType.FLOAT, 'the kept scale is still float32');
  t.equal(types.get('weight__fp16'), OnnxDataType.FLOAT16, 'the weight is stored as float16');
  t.equal(report.tensors, 1);
  t.notOk((out.graph?.node ?? []).some((n) => n.op_type === 'Cast' && n.output?.[0] === 'scale'), 'no Cast writes the kept scale');
});

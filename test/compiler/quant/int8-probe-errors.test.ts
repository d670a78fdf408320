import t from 'tap';
import { probeModel } from '../../../lib/compiler/quant/accuracy.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';

// The int8 accuracy probe copies each quantized node with its Q/DQ parameters; a parameter the quantized graph does
// not hold is a typed error naming the model, the parameter and the node, not a bare Error.

t.test('a Q/DQ parameter missing from the quantized graph is QAIC_INTERNAL naming the model, parameter and node', async (t) => {
  const w = initializer('w', 'float32', [4, 2], Float32Array.from({ length: 8 }, (_, i) => i / 8));
  const io = { inputs: [tensorInfo('x', 'float32', [1, 4])], outputs: [tensorInfo('y', 'float32', [1, 2])] };
  const float = model(graph({ nodes: [node('MatMul', ['x', 'w'], ['y'], {}, { name: 'head' })], ...io, initializers: [w] }));
  // the scale and zero point of x's Q/DQ pair are not initializers of this graph
  const qdq = model(graph({
    nodes: [
      node('QuantizeLinear', ['x', 'x_scale', 'x_zero'], ['x_q'], {}, { name: 'x_quant' }),
      node('DequantizeLinear', ['x_q', 'x_scale', 'x_zero'], ['x_dq'], {}, { name: 'x_dequant' }),
      node('MatMul', ['x_dq', 'w'], ['y'], {}, { name: 'head' }),
    ],
    ...io,
    initializers: [w],
  }));
  t.throws(() => probeModel(float, qdq, () => true, "'cnn.onnx'"), {
    name: 'QaicError', code: 'QAIC_INTERNAL', message: /quantized graph of 'cnn\.onnx' has no initializer 'x_scale'.*node 'head' \(MatMul\)/,
  });
});

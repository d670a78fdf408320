import t from 'tap';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';

// A Relu is folded into the quantization range only where a QuantizeLinear takes its place; a Relu that writes a
// graph output gets none (graph outputs stay float), so it must stay, or negative values would leak out.

t.test('a Relu writing a graph output is not folded away', async (t) => {
  const m = model(graph({
    nodes: [node('Conv', ['x', 'w'], ['c'], {}, { name: 'conv' }), node('Relu', ['c'], ['y'], {}, { name: 'relu' })],
    inputs: [tensorInfo('x', 'float32', [1, 1, 3, 3])],
    outputs: [tensorInfo('y', 'float32', [1, 1, 3, 3])],
    initializers: [initializer('w', 'float32', [1, 1, 1, 1], Float32Array.of(-2))],
  }), { opset: 13 });
  const { model: q, report } = quantizeGraph(m, { ranges: new Map([['x', { min: -1, max: 1 }], ['c', { min: -2, max: 2 }], ['y', { min: 0, max: 2 }]]) });
  t.equal(report.activationsFolded, 0);
  t.ok(q.graph!.node!.some((n) => n.op_type === 'Relu' && n.output?.[0] === 'y'), 'the Relu still writes y');
});

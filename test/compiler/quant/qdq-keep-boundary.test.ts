import t from 'tap';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { DEFAULT_INT8_OPERATORS } from '../../../lib/compiler/quant/compile-int8.js';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { calibratedRange } from '../../../lib/compiler/quant/ranges.js';
import { int8WeightRange } from '../../../lib/compiler/quant/weight-range.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import type { ModelProto, NodeProto } from '../../../lib/onnx/schema.js';
import { cnnInputs, lcg, relativeL2, runOptimized, writeTemp } from './helpers.js';

// A Conv kept in float whose input comes from a quantized Conv (so it reads a DequantizeLinear) must not reach a
// QuantizeLinear through the BatchNormalization and Relu after it: onnxruntime folds those into it and then quantizes
// its float weight itself (per tensor, 8 bits), or, below opset 11, inserts a Round the opset lacks and the model no
// longer loads. The pass keeps the tensors after the kept Conv float up to the next quantized Conv, which reads float.

/**
 * conv1 (quantized) -> conv2 (kept) -> BatchNormalization -> Relu -> conv3 (quantized) -> y. conv2's odd output
 * channels are 100x smaller than its even ones and conv3 weighs them 100x more, so y needs them: a per-tensor int8
 * weight of conv2 (what onnxruntime would give it) or a uint8 quantization of the tensors after it loses them.
 */
function keptMiddle(opset: number): ModelProto {
  const pads = { ints: [1, 1, 1, 1] };
  const k = { ints: [3, 3] };
  const w2 = lcg(16 * 16 * 9, 0.3, 3).map((v, i) => (Math.floor(i / (16 * 9)) % 2 === 0 ? v * 10 : v / 10));
  const ones = Float32Array.from({ length: 16 }, () => 1);
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads, kernel_shape: k }, { name: 'conv1' }),
      node('Conv', ['c1', 'w2'], ['c2'], { pads, kernel_shape: k }, { name: 'conv2' }),
      node('BatchNormalization', ['c2', 'gamma', 'beta', 'mean', 'var'], ['n2'], {}, { name: 'bn2' }),
      node('Relu', ['n2'], ['r2'], {}, { name: 'relu2' }),
      node('Conv', ['r2', 'w3', 'b3'], ['y'], { pads, kernel_shape: k }, { name: 'conv3' }),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 8, 16, 16])],
    outputs: [tensorInfo('y', 'float32', [1, 4, 16, 16])],
    initializers: [
      initializer('w1', 'float32', [16, 8, 3, 3], lcg(16 * 8 * 9, 0.5, 1)), initializer('b1', 'float32', [16], lcg(16, 0.1, 2)),
      initializer('w2', 'float32', [16, 16, 3, 3], w2),
      initializer('gamma', 'float32', [16], ones), initializer('beta', 'float32', [16], lcg(16, 0.2, 6)),
      initializer('mean', 'float32', [16], lcg(16, 0.1, 7)), initializer('var', 'float32', [16], ones),
      initializer('w3', 'float32', [4, 16, 3, 3], lcg(4 * 16 * 9, 0.3, 4).map((v, i) => (Math.floor(i / 9) % 2 === 1 ? v * 100 : v))), initializer('b3', 'float32', [4], lcg(4, 0.1, 5)),
    ],
  }), { opset });
}

for (const opset of [13, 9]) {
  t.test(`opset ${opset}: a kept Conv between quantized ones stays float in onnxruntime, and keeping it costs no accuracy`, async (t) => {
    const float = keptMiddle(opset);
    const floatFile = writeTemp(float, 'kept-middle');
    const profile = await calibrate(floatFile, cnnInputs(8, 300), { num_histogram_bins: 256 });
    const ranges = new Map([...profile.tensors].map(([name, h]) => [name, calibratedRange(h, 'None')]));
    const settings = { ranges, channelwise: true, operators: DEFAULT_INT8_OPERATORS, weightBits: int8WeightRange().bits };
    const none = quantizeGraph(float, settings).model;
    const { model: kept, report } = quantizeGraph(float, { ...settings, keep: ['conv2'] });
    t.same(report.keptFloat.map((k) => [k.node, k.reason]), [['conv2', 'user']]);

    // the QDQ graph around the kept node
    const nodes = kept.graph?.node ?? [];
    const producer = new Map<string, NodeProto>();
    for (const n of nodes) for (const y of n.output ?? []) producer.set(y, n);
    const byName = (name: string) => nodes.find((n) => n.name === name)!;
    const conv2 = byName('conv2');
    t.equal(producer.get(conv2.input![0]!)?.op_type, 'DequantizeLinear', "conv2 reads conv1's quantized output through a DequantizeLinear");
    t.equal(conv2.input![1], 'w2', 'conv2 keeps its float weight');
    const quantized = new Set(nodes.filter((n) => n.op_type === 'QuantizeLinear').map((n) => n.input![0]));
    for (const tensor of ['c2', 'n2', 'r2']) t.notOk(quantized.has(tensor), `'${tensor}' (after the kept Conv, up to the next quantized one) gets no QuantizeLinear`);
    t.ok(quantized.has('c1'), "conv1's output is still quantized");
    const conv3 = byName('conv3');
    t.equal(conv3.input![0], 'r2', 'conv3 reads the float tensor');
    t.equal(producer.get(conv3.input![1]!)?.op_type, 'DequantizeLinear', 'conv3 keeps its int8 weight');

    // onnxruntime: it loads (below opset 11 a kept Conv it had quantized held a Round the opset lacks), conv1 alone is
    // an int8 kernel, and it added no weight quantization of its own to conv2 (it names those nodes after the node)
    const x = cnnInputs(1, 999)[0]!.x.data; // not a calibration input
    const reference = await runOptimized(floatFile, x);
    const keptRun = await runOptimized(writeTemp(kept, 'kept-middle-int8'), x);
    t.equal(keptRun.ops['QLinearConv'], 1, 'only conv1 runs as QLinearConv');
    t.same(keptRun.names.filter((n) => n.startsWith('conv2_')), [], 'onnxruntime quantized no weight or bias of conv2');
    const noneRun = await runOptimized(writeTemp(none, 'kept-middle-none'), x);
    const errKept = relativeL2(reference.y, keptRun.y);
    const errNone = relativeL2(reference.y, noneRun.y);
    t.ok(errKept <= errNone, `relative L2 with conv2 kept ${errKept.toFixed(4)} is not above that with nothing kept ${errNone.toFixed(4)}`);
  });
}

import t from 'tap';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { int8WeightRange } from '../../../lib/compiler/quant/weight-range.js';
import { calibratedRange } from '../../../lib/compiler/quant/ranges.js';
import { cnnInputs, relativeL2, runOptimized, smallCnn, writeTemp } from './helpers.js';

for (const opset of [13, 11]) {
  t.test(`opset ${opset}: the QDQ graph is fused by onnxruntime into int8 kernels and stays close to float32`, async (t) => {
    const float = smallCnn(opset);
    const floatFile = writeTemp(float, 'cnn');
    const profile = await calibrate(floatFile, cnnInputs(8, 100), { num_histogram_bins: 256 });
    const ranges = new Map([...profile.tensors].map(([name, h]) => [name, calibratedRange(h, 'None')]));
    const { model: q, report } = quantizeGraph(float, { ranges, channelwise: true, weightBits: int8WeightRange().bits });
    t.equal(report.qdqDomain, opset >= 13 ? '' : 'com.microsoft', 'per-channel Q/DQ come from com.microsoft below opset 13');
    t.same(report.quantizedNodes, { Conv: 2, Add: 1, GlobalAveragePool: 1, Flatten: 1, MatMul: 1 });
    t.equal(report.activationsFolded, 1, 'the Relu after conv1 is folded into its uint8 range (zero point 0)');
    t.equal(report.weights.count, 3);
    t.ok(report.weights.bytesAfter <= 0.3 * report.weights.bytesBefore, `int8 weights ${report.weights.bytesAfter} B vs float ${report.weights.bytesBefore} B`);
    t.equal(report.biasSaturated, 0);
    const x = cnnInputs(1, 999)[0]!.x.data; // not a calibration input
    const a = await runOptimized(floatFile, x);
    const b = await runOptimized(writeTemp(q, 'cnn-int8'), x);
    t.equal(b.ops['QLinearConv'], 2, 'both Convs run as QLinearConv');
    t.equal(b.ops['QLinearAdd'], 1, 'the residual Add runs as QLinearAdd');
    t.equal(b.ops['QLinearGlobalAveragePool'], 1);
    t.equal(b.ops['MatMulIntegerToFloat'], 1, 'the head MatMul (a graph output, left float) runs as MatMulIntegerToFloat');
    t.notOk(b.ops['Conv'] ?? b.ops['Relu'], 'no float Conv or Relu is left');
    const err = relativeL2(a.y, b.y);
    t.ok(err < 0.03, `relative L2 error against float32 ${err.toFixed(4)} < 0.03`);
  });
}

t.test('a node kept in float, or without a calibrated range, stays float32 and is reported', async (t) => {
  const float = smallCnn();
  const profile = await calibrate(writeTemp(float, 'cnn'), cnnInputs(4, 200), { num_histogram_bins: 64 });
  const ranges = new Map([...profile.tensors].map(([name, h]) => [name, calibratedRange(h, 'None')]));
  ranges.delete('g');
  const { model: q, report } = quantizeGraph(float, { ranges, keep: ['conv2'] });
  t.same(report.keptFloat.map((k) => [k.node, k.reason]).sort(), [['conv2', 'user'], ['flatten', 'no-range'], ['pool', 'no-range']]);
  const b = await runOptimized(writeTemp(q, 'cnn-keep'), cnnInputs(1, 7)[0]!.x.data);
  t.equal(b.ops['QLinearConv'], 1, 'only conv1 is fused');
  t.ok((b.ops['Conv'] ?? 0) + (b.ops['FusedConv'] ?? 0) >= 1, 'conv2 runs in float');
});

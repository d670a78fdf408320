import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { formatInt8Accuracy, int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { ocrModel, textPage } from '../../../examples/support.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// The int8 accuracy report runs the int8 program and float32 on evaluation inputs and says, per output, how far int8
// moved it, and which quantized nodes add the most error by themselves (the candidates to keep in float).

t.test('per output: errors and top-1 agreement; per node: own errors, largest first, by the names keep takes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(6, 1), { dump_profile: profile });
  const report = await int8Accuracy(file, { load_profile: profile }, { inputs: cnnInputs(3, 100) });
  t.equal(report.inputs, 'given');
  t.equal(report.evaluationInputs, 3);
  t.equal(report.outputs.length, 1);
  const y = report.outputs[0]!;
  t.same(y.dims, [1, 10]);
  t.ok(y.relativeL2Error > 0 && y.relativeL2Error < 0.1, `int8 moved y a little: relative L2 ${y.relativeL2Error}`);
  t.ok(y.maxAbsError > 0);
  t.ok(y.top1Agreement !== undefined && y.top1Agreement >= 0 && y.top1Agreement <= 1, 'an [N, C] output has top-1 agreement');
  t.equal(y.mapIoU, undefined, 'no map IoU for an [N, C] output');
  t.equal(report.nodesMeasured, 3, 'both convolutions and the MatMul head are measured');
  t.same(report.worstNodes.map((n) => n.node).sort(), ['conv1', 'conv2', 'head']);
  const errors = report.worstNodes.map((n) => n.relativeL2Error);
  t.same(errors, [...errors].sort((a, b) => b - a), 'largest first');
  t.ok(errors.every((e) => e > 0 && e < 0.2), `each node's own error is small and non-zero: ${errors.join(', ')}`);
  t.match(formatInt8Accuracy(report), /Int8 accuracy against float32 \(3 evaluation input set\(s\)\):\n\s+output.*\n\s+y\s+\[1,10\]/);

  const kept = await int8Accuracy(file, { load_profile: profile, keep_original_precision_for_nodes: [report.worstNodes[0]!.node] }, { inputs: cnnInputs(3, 100), worstNodes: 1 });
  t.equal(kept.nodesMeasured, 2, 'a node kept in float is not measured');
  t.notOk(kept.worstNodes.some((n) => n.node === report.worstNodes[0]!.node));
  t.equal(kept.worstNodes.length, 1, 'worstNodes caps the list');

  const random = await int8Accuracy(file, { load_profile: profile }, { randomInputs: 1, seed: 3 });
  t.equal(random.inputs, 'random');
  t.equal(random.seed, 3);
  t.match(formatInt8Accuracy(random), /not representative/);
});

t.test('PP-OCRv4 det: a map output gets the IoU of its thresholded map', async (t) => {
  const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 128, 'p2o.DynamicDimension.2': 160 };
  const page = (seed: number) => ({ x: { data: textPage(128, 160, seed).input, shape: [1, 3, 128, 160] } });
  const report = await int8Accuracy(ocrModel('det'), {
    onnx_define_symbol: symbols, convert_to_quantize: true, calibration_inputs: [1, 2].map(page),
    quantization_schema_activations: 'asymmetric', quantization_calibration: 'Percentile', percentile_calibration_value: 99.99,
  }, { inputs: [7].map(page), mapThreshold: 0.3, worstNodes: 3 });
  const map = report.outputs[0]!;
  t.same(map.dims, [1, 1, 128, 160]);
  t.ok(map.mapIoU !== undefined && map.mapIoU > 0 && map.mapIoU <= 1, `map IoU at 0.3: ${map.mapIoU}`);
  t.equal(map.top1Agreement, undefined);
  t.equal(report.mapThreshold, 0.3);
  t.equal(report.worstNodes.length, 3);
  t.ok(report.nodesMeasured > 50, `most of det's convolutions are measured (${report.nodesMeasured})`);
  t.ok(report.worstNodes.every((n) => n.op === 'Conv' && /^p2o\.Conv\.\d+$/.test(n.node)), report.worstNodes.map((n) => n.node).join(', '));
});

t.test('an opset-9 model (raised to opset 10 for int8, as PP-OCRv4 cls and rec are) has its nodes measured too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc9-'));
  const file = writeTemp(smallCnn(9), 'cnn9');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(4, 1), { dump_profile: profile });
  const report = await int8Accuracy(file, { load_profile: profile }, { inputs: cnnInputs(2, 100) });
  t.equal(report.nodesMeasured, 3);
  t.ok(report.outputs[0]!.relativeL2Error < 0.1);
});

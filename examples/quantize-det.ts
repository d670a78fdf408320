/**
 * Int8 quantization of the PP-OCRv4 text detector, checked: calibrate on synthetic text pages, compile int8 with the
 * settings this port documents for det (asymmetric activations, Percentile 99.99; the stem, det's first 4
 * convolutions, is kept in float by `keep_stem_nodes`' default), then measure the int8 program against float32 on *other* pages with `int8Accuracy`: the thresholded-map
 * IoU at 0.3, and the quantized nodes that lose the most by themselves. Exits non-zero when the IoU is below its bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate, compile, int8Accuracy, type SessionOptions } from 'qaic';
import { check, ocrModel, textPage } from './support.js';

const [height, width] = [256, 384];
const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': height, 'p2o.DynamicDimension.2': width };
// Different seeds lay out different pages: six to calibrate on, three others to evaluate on.
const page = (seed: number) => ({ x: { data: textPage(height, width, seed).input, shape: [1, 3, height, width] } });
const calibrationPages = [1, 2, 3, 4, 5, 6].map(page);
const evaluationPages = [101, 102, 103].map(page);
// measured 0.966 on 2026-12-02 with the default keep (convolutions 0-3) on an AVX-512 VNNI host (8-bit weights), and
// 0.944 on an AVX2 host without VNNI (7-bit weights, convolutions 1-3 kept). The bound leaves room for CPUs whose int8
// kernels round differently; other pages move it
const IOU_BOUND = 0.93;

const dir = mkdtempSync(join(tmpdir(), 'qaic-quantize-det-'));
try {
  const profile = join(dir, 'det.profile.json');
  const p = await calibrate(ocrModel('det'), calibrationPages, { onnx_define_symbol: symbols, dump_profile: profile });
  console.log(`profiled ${p.tensors.size} tensors on ${p.calibrationInputs} pages`);
  const options: SessionOptions = {
    onnx_define_symbol: symbols, load_profile: profile,
    quantization_schema_activations: 'asymmetric', quantization_calibration: 'Percentile', percentile_calibration_value: 99.99,
  };
  const { report } = await compile(ocrModel('det'), { ...options, output_dir: join(dir, 'det_int8') });
  const q = report.quantization!;
  const kernels = Object.values(q.int8Kernels).reduce((a, b) => a + b, 0);
  console.log(`kept in float by default (keep_stem_nodes): ${q.keptStem.map((k) => k.node).join(', ')}`);
  console.log(`int8 program: ${kernels} int8 kernels (${JSON.stringify(q.int8Kernels)}), weights ${(q.weights.bytesAfter / q.weights.bytesBefore).toFixed(2)}x`);
  check(kernels > 50, 'onnxruntime fused the quantized convolutions into int8 kernels');

  const accuracy = await int8Accuracy(ocrModel('det'), options, { inputs: evaluationPages, mapThreshold: 0.3, worstNodes: 5 });
  const map = accuracy.outputs[0]!;
  console.log(`on ${accuracy.evaluationInputs} other pages: map IoU at 0.3 ${map.mapIoU?.toFixed(3)}, relative L2 ${map.relativeL2Error.toExponential(2)}`);
  console.log(`nodes losing the most (candidates for keep_original_precision_for_nodes): ${accuracy.worstNodes.map((n) => `${n.node} ${n.relativeL2Error.toExponential(1)}`).join(', ')}`);
  check((map.mapIoU ?? 0) >= IOU_BOUND, `int8 finds the text float32 finds: map IoU at 0.3 >= ${IOU_BOUND} on pages it was not calibrated on`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

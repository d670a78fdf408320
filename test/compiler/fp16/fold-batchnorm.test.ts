import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { compareOutput, convertToFp16 } from '../../../lib/compiler/fp16/index.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { openProgram } from '../../../lib/program/index.js';
import { ort, PPOCR_DIR, runModel, scratch, values } from './helpers.js';

// x -> Conv (no bias) -> BatchNormalization -> y, with a variance (1e6) whose float16 rounding is harmless but
// whose product with float16 weights would not be a float16 value.
function convBn() {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w'], ['c'], { pads: { ints: [1, 1, 1, 1] } }, { name: 'conv' }),
      node('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['y'], { epsilon: { f: 1e-5 } }, { name: 'bn' }),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 2, 6, 6])],
    outputs: [tensorInfo('y', 'float32', [1, 3, 6, 6])],
    initializers: [
      initializer('w', 'float32', [3, 2, 3, 3], values(54, 1)),
      initializer('gamma', 'float32', [3], Float32Array.from([1, 2, 0.5])),
      initializer('beta', 'float32', [3], Float32Array.from([0.1, -0.2, 0.3])),
      initializer('mean', 'float32', [3], Float32Array.from([0.01, 0.02, -0.03])),
      initializer('var', 'float32', [3], Float32Array.from([1e6, 0.25, 4])),
    ],
  }));
}

t.test('Conv + BatchNormalization is folded in float32 before conversion', async (t) => {
  const { model: converted, report } = convertToFp16(convBn());
  t.equal(report.batchNormsFolded, 1);
  t.same(converted.graph!.node!.map((n) => n.op_type).filter((op) => op !== 'Cast'), ['Conv']);
  t.same(report.float32Ops, { Conv: 1 });
  const x = new ort.Tensor('float32', values(72, 5), [1, 2, 6, 6]);
  const a = (await runModel(convBn(), { x })).y!.data as Float32Array;
  const b = (await runModel(converted, { x })).y!.data as Float32Array;
  // Per output channel: channel 0's scale is 1e-3 (variance 1e6), so each channel is compared with its own size.
  for (let c = 0; c < 3; c++) {
    const r = compareOutput(`y[${c}]`, [36], Float64Array.from(a.subarray(c * 36, c * 36 + 36)), Float64Array.from(b.subarray(c * 36, c * 36 + 36)));
    t.ok(r.relativeL2Error < 2e-3, `channel ${c}: relative L2 error ${r.relativeL2Error.toExponential(2)} (one float16 rounding of the folded weights)`);
  }
});

t.test('a BatchNormalization the user keeps is not folded', async (t) => {
  const { model: converted, report } = convertToFp16(convBn(), { keepOriginalPrecisionFor: ['bn'] });
  t.equal(report.batchNormsFolded, 0);
  t.ok(converted.graph!.node!.some((n) => n.op_type === 'BatchNormalization'));
});

t.test('the mobile classifier (35 Conv+BN pairs) compiles to a float16 program with at most 0.55x the weights', async (t) => {
  const dir = scratch(t);
  const cls = join(PPOCR_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };
  const fp32 = await compile(cls, { output_dir: join(dir, 'fp32'), onnx_define_symbol: symbols });
  const fp16 = await compile(cls, { output_dir: join(dir, 'fp16'), onnx_define_symbol: symbols, convert_to_fp16: true });
  t.ok((fp16.report.fp16?.batchNormsFolded ?? 0) >= 30, `${fp16.report.fp16?.batchNormsFolded} BatchNormalizations folded`);
  const [p32, p16] = [await openProgram(fp32.programPath), await openProgram(fp16.programPath)];
  t.ok(p16.weightBytes <= 0.55 * p32.weightBytes, `program weights ${p16.weightBytes} <= 0.55 x ${p32.weightBytes} (${(p16.weightBytes / p32.weightBytes).toFixed(3)})`);
});

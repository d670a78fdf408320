import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { compareOutput, convertToFp16, storeWeightsAsFloat16 } from '../../../lib/compiler/fp16/index.js';
import { encodeModel, readModelFile } from '../../../lib/onnx/model.js';
import { openProgram } from '../../../lib/program/index.js';
import { Session } from '../../../lib/session.js';
import { ort, PPOCR_DIR, runModel, scratch, syntheticPage } from './helpers.js';

const DET = join(PPOCR_DIR, 'ch_PP-OCRv4_det_infer.onnx');
const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320, 'p2o.DynamicDimension.2': 320 };

t.test('onnxruntime constant folding undoes float16 weights; storeWeightsAsFloat16 restores them losslessly', async (t) => {
  const { model } = readModelFile(DET);
  model.graph!.input![0]!.type!.tensor_type!.shape = { dim: [1, 3, 320, 320].map((d) => ({ dim_value: d })) };
  const dir = scratch(t);
  const saved = join(dir, 'optimized.onnx');
  const s = await ort.InferenceSession.create(encodeModel(convertToFp16(model).model), { graphOptimizationLevel: 'basic', optimizedModelFilePath: saved });
  await s.release();
  const folded = readModelFile(saved).model;
  const { model: packed, report } = storeWeightsAsFloat16(folded);
  t.ok(report.tensors > 50, `${report.tensors} folded float32 weights were float16 values`);
  t.ok(report.bytesAfter <= 0.55 * report.bytesBefore, `${report.bytesAfter} <= 0.55 x ${report.bytesBefore}`);
  const x = { x: new ort.Tensor('float32', syntheticPage(320, 320), [1, 3, 320, 320]) };
  const a = (await runModel(folded, x))['sigmoid_0.tmp_0']!.data as Float32Array;
  const b = (await runModel(packed, x))['sigmoid_0.tmp_0']!.data as Float32Array;
  t.same(b, a, 'bit-identical outputs: no value changed');
  t.equal(storeWeightsAsFloat16(model).report.tensors, 0, 'float32 weights that are not float16 values are left alone');
});

t.test('a program compiled with convert_to_fp16 stores at most 0.55x the float32 weight bytes and runs', async (t) => {
  const dir = scratch(t);
  const fp32 = await compile(DET, { output_dir: join(dir, 'fp32'), onnx_define_symbol: symbols });
  const fp16 = await compile(DET, { output_dir: join(dir, 'fp16'), onnx_define_symbol: symbols, convert_to_fp16: true });
  const [p32, p16] = [await openProgram(fp32.programPath), await openProgram(fp16.programPath)];
  t.equal(p16.graphs[0]!.sessionOptions.graphOptimizationLevel, 'basic', 'float16 programs load at basic, folding their weight Casts once');
  t.equal(p32.graphs[0]!.sessionOptions.graphOptimizationLevel, 'disabled');
  t.ok(p16.weightBytes <= 0.55 * p32.weightBytes, `program weights ${p16.weightBytes} <= 0.55 x ${p32.weightBytes} (${(p16.weightBytes / p32.weightBytes).toFixed(3)})`);
  t.ok(fp16.report.fp16 !== undefined, 'the compile report carries the fp16 report');
  const x = syntheticPage(320, 320);
  const outputs = [];
  for (const path of [fp32.programPath, fp16.programPath]) {
    const session = new Session(path, { num_activations: 1 });
    outputs.push((await session.run({ x: { data: x.slice(), shape: [1, 3, 320, 320] } }))['sigmoid_0.tmp_0']!);
    await session.close();
  }
  const cmp = compareOutput('det', outputs[0]!.shape as number[], Float64Array.from(outputs[0]!.data as Float32Array), Float64Array.from(outputs[1]!.data as Float32Array));
  t.ok(cmp.relativeL2Error > 0 && cmp.relativeL2Error <= 1e-2, `program-level det relative L2 error ${cmp.relativeL2Error}`);
});

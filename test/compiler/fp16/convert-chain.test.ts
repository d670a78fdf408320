import t from 'tap';
import { convertToFp16, fp16Accuracy } from '../../../lib/compiler/fp16/index.js';
import { encodeModel } from '../../../lib/onnx/model.js';
import { OnnxDataType } from '../../../lib/onnx/schema.js';
import { chainModel, ort, runModel, values } from './helpers.js';

t.test('a Conv/Relu/Reshape/MatMul/Add/Softmax chain converts, keeps float32 I/O, and runs', async (t) => {
  const fp32 = chainModel();
  const before = encodeModel(fp32);
  const { model, report } = convertToFp16(fp32);
  t.same(encodeModel(fp32), before, 'the input model is not modified');

  const g = model.graph!;
  const floatInits = (g.initializer ?? []).filter((i) => i.data_type === OnnxDataType.FLOAT);
  t.same(floatInits.map((i) => i.name), [], 'no float32 initializer is left');
  t.equal((g.initializer ?? []).filter((i) => i.data_type === OnnxDataType.FLOAT16).length, 4, 'all four weights are float16');
  t.ok(report.weightBytesAfter <= 0.55 * report.weightBytesBefore, `weights ${report.weightBytesAfter} <= 0.55 x ${report.weightBytesBefore}`);
  t.equal(g.input![0]!.type!.tensor_type!.elem_type, OnnxDataType.FLOAT, 'input stays float32');
  t.equal(g.output![0]!.type!.tensor_type!.elem_type, OnnxDataType.FLOAT, 'output stays float32');

  t.same(report.float16Ops, { Reshape: 1 }, 'Reshape computes in float16');
  t.same(report.float32Ops, { Conv: 1, Relu: 1, MatMul: 1, Add: 1, Softmax: 1 });
  // Conv has no float16 kernel: its float16 weight reaches it through a Cast to float.
  const producer = new Map(g.node!.flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
  const conv = g.node!.find((n) => n.op_type === 'Conv')!;
  const wCast = producer.get(conv.input![1]!)!;
  t.equal(wCast.op_type, 'Cast');
  t.equal(Number(wCast.attribute![0]!.i), OnnxDataType.FLOAT);
  // Reshape reads float16: a Cast to float16 sits between Relu and Reshape.
  const reshape = g.node!.find((n) => n.op_type === 'Reshape')!;
  t.equal(Number(producer.get(reshape.input![0]!)!.attribute![0]!.i), OnnxDataType.FLOAT16);

  const x = values(4 * 3 * 64, 9);
  const feeds = { x: new ort.Tensor('float32', x, [4, 3, 8, 8]) };
  const [a, b] = [(await runModel(fp32, feeds)).y!, (await runModel(model, feeds)).y!];
  t.equal(b.type, 'float32');
  t.same(b.dims, [4, 10]);
  const accuracy = await fp16Accuracy(encodeModel(fp32), encodeModel(model), { inputs: { x: { data: x, dims: [4, 3, 8, 8] } } });
  t.equal(accuracy.inputs, 'given');
  const out = accuracy.outputs[0]!;
  t.ok(out.relativeL2Error > 0, 'float16 weights do move the outputs');
  t.ok(out.relativeL2Error < 1e-2, `relative L2 error ${out.relativeL2Error} < 1e-2`);
  t.equal(out.top1Agreement, 1, 'same class for all 4 rows');
  let maxAbs = 0;
  for (let i = 0; i < 40; i++) maxAbs = Math.max(maxAbs, Math.abs((a.data as Float32Array)[i]! - (b.data as Float32Array)[i]!));
  t.equal(out.maxAbsError, maxAbs, 'the report measures what a direct comparison measures');
});

t.test('roundActivations rounds between float32-only operators too (more casts)', async (t) => {
  const plain = convertToFp16(chainModel()).report;
  const rounded = convertToFp16(chainModel(), { roundActivations: true });
  t.ok(rounded.report.castsInserted > plain.castsInserted, `${rounded.report.castsInserted} > ${plain.castsInserted} casts`);
  const out = await runModel(rounded.model, { x: new ort.Tensor('float32', values(192, 5), [1, 3, 8, 8]) });
  t.same(out.y!.dims, [1, 10]);
});

t.test("io: 'float16' makes inputs and outputs float16", async (t) => {
  const { model } = convertToFp16(chainModel(), { io: 'float16' });
  t.equal(model.graph!.input![0]!.type!.tensor_type!.elem_type, OnnxDataType.FLOAT16);
  t.equal(model.graph!.output![0]!.type!.tensor_type!.elem_type, OnnxDataType.FLOAT16);
  const report = await fp16Accuracy(encodeModel(chainModel()), encodeModel(model), { symbols: { N: 2 }, seed: 3 });
  t.equal(report.inputs, 'random');
  t.ok(report.worstRelativeL2Error < 1e-2, `float16 I/O adds input/output rounding only: ${report.worstRelativeL2Error}`);
});

t.test('BAD CALL - malformed options are typed errors naming the option', async (t) => {
  t.throws(() => convertToFp16(chainModel(), { keepOriginalPrecisionFor: 'Conv' as unknown as string[] }), {
    code: 'QAIC_INVALID_OPTION', message: /keep_original_precision_for_nodes must be a list/,
  });
  t.throws(() => convertToFp16(chainModel(), { io: 'bfloat16' as 'float16' }), { code: 'QAIC_INVALID_OPTION', message: /io must be/ });
  t.throws(() => convertToFp16(chainModel(), { clip: 1 as unknown as boolean }), { code: 'QAIC_INVALID_OPTION' });
  t.throws(() => convertToFp16({ ir_version: 8 }), { code: 'QAIC_MODEL_INVALID' });
});

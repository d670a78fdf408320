import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareOutput, convertToFp16, fp16Accuracy } from '../../../lib/compiler/fp16/index.js';
import { encodeModel } from '../../../lib/onnx/model.js';
import { chainModel, scratch } from './helpers.js';

t.test('compareOutput: max abs error, relative L2 error and top-1 agreement', async (t) => {
  const ref = Float64Array.from([0.1, 0.9, 0.6, 0.4, 0.2, 0.8]);
  const got = Float64Array.from([0.1, 0.9, 0.4, 0.6, 0.2, 0.8]);
  const r = compareOutput('p', [3, 2], ref, got);
  t.equal(r.top1Agreement, 2 / 3, 'row 2 flips its class');
  t.ok(Math.abs(r.maxAbsError - 0.2) < 1e-12);
  const l2 = Math.sqrt((0.2 ** 2 * 2) / ref.reduce((s, v) => s + v * v, 0));
  t.ok(Math.abs(r.relativeL2Error - l2) < 1e-12);
  t.equal(compareOutput('v', [6], ref, got).top1Agreement, undefined, 'no top-1 for a vector');
  t.equal(compareOutput('one', [3, 1], ref.slice(0, 3), got.slice(0, 3)).top1Agreement, undefined, 'no top-1 with one class');
  t.equal(compareOutput('inf', [2], Float64Array.from([1, 2]), Float64Array.from([1, Infinity])).nonFinite, 1);
});

t.test('random inputs are seeded: same seed same report, other seed other report; files work as well as bytes', async (t) => {
  const fp32 = encodeModel(chainModel());
  const fp16 = encodeModel(convertToFp16(chainModel()).model);
  const dir = scratch(t);
  writeFileSync(join(dir, 'a.onnx'), fp32);
  writeFileSync(join(dir, 'b.onnx'), fp16);
  const a = await fp16Accuracy(fp32, fp16, { symbols: { N: 8 }, seed: 1 });
  const b = await fp16Accuracy(join(dir, 'a.onnx'), join(dir, 'b.onnx'), { symbols: { N: 8 }, seed: 1 });
  const c = await fp16Accuracy(fp32, fp16, { symbols: { N: 8 }, seed: 2 });
  t.same(a, b);
  t.not(a.outputs[0]!.relativeL2Error, c.outputs[0]!.relativeL2Error);
  t.equal(a.outputs[0]!.dims.join('x'), '8x10');
  t.ok(a.outputs[0]!.top1Agreement !== undefined);
});

t.test('BAD CALL - a symbolic dim without a value names the input and the symbol', async (t) => {
  const fp32 = encodeModel(chainModel());
  await t.rejects(fp16Accuracy(fp32, fp32), { code: 'QAIC_INVALID_ARGUMENT', message: /input 'x'.*dim 0 is 'N'.*options\.symbols/ });
});

t.test('BAD CALL - an unknown input name, a model mismatch and a non-model are typed errors', async (t) => {
  const fp32 = encodeModel(chainModel());
  await t.rejects(fp16Accuracy(fp32, fp32, { inputs: { nope: { data: new Float32Array(1), dims: [1] } } }), { code: 'QAIC_INPUT_UNKNOWN', message: /'nope'/ });
  const other = chainModel();
  other.graph!.output![0]!.name = 'z';
  other.graph!.node![5]!.output = ['z'];
  await t.rejects(fp16Accuracy(fp32, encodeModel(other), { symbols: { N: 1 } }), { code: 'QAIC_INVALID_ARGUMENT', message: /differ/ });
  await t.rejects(fp16Accuracy(fp32, 42 as unknown as string), { code: 'QAIC_INVALID_ARGUMENT', message: /float16 model/ });
});

import t from 'tap';
import { formatInt8Accuracy, int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { calibratedTemp, positiveRow } from './helpers.js';

// Non-finite values do not poison the int8 accuracy report: as in fp16Accuracy, a pair whose float32 value is inf/NaN
// is skipped, and a finite float32 value that int8 turns into inf/NaN is counted in `nonFinite` instead of entering
// the sums; a node whose float32 tensor holds a NaN in one set is measured on the other sets.

// m = x . w, with m's first column tiny beside the others (int8 rounds it to 0), and l = log(m): finite in float32,
// -inf in int8 for that column
const w = Float32Array.from({ length: 8 * 4 }, (_, k) => (k % 4 === 0 ? 1e-4 : 0.5));
const m = model(graph({
  nodes: [node('MatMul', ['x', 'w'], ['m'], {}, { name: 'head' }), node('Log', ['m'], ['l'], {}, { name: 'log' })],
  inputs: [tensorInfo('x', 'float32', [1, 8])],
  outputs: [tensorInfo('m', 'float32', [1, 4]), tensorInfo('l', 'float32', [1, 4])],
  initializers: [initializer('w', 'float32', [8, 4], w)],
}), { opset: 13 });

t.test('NaN in one evaluation set and inf from int8 leave every error finite, the inf pairs counted', async (t) => {
  const { file, profile } = await calibratedTemp(t, m, [1, 2, 3].map(positiveRow));
  const nan = positiveRow(101);
  nan.x.data[3] = Number.NaN;
  const report = await int8Accuracy(file, { load_profile: profile }, { inputs: [positiveRow(100), nan] });
  const [mm, l] = report.outputs;
  t.equal(mm!.nonFinite, 0, 'm: no finite float32 value became inf/NaN');
  t.ok(Number.isFinite(mm!.relativeL2Error) && Number.isFinite(mm!.maxAbsError), `m: errors finite over the set without NaN (${mm!.relativeL2Error})`);
  t.ok(l!.nonFinite > 0, `l: int8's log(0) = -inf where float32 is finite is counted (${l!.nonFinite})`);
  t.ok(Number.isFinite(l!.relativeL2Error) && Number.isFinite(l!.maxAbsError), `l: errors finite over the finite pairs (${l!.relativeL2Error})`);
  t.equal(report.worstNodes.length, 1);
  t.ok(Number.isFinite(report.worstNodes[0]!.relativeL2Error), `the MatMul's own error is measured on the set without NaN (${report.worstNodes[0]!.relativeL2Error})`);
  t.match(formatInt8Accuracy(report), /\n  l: \d+ value\(s\) finite in float32 (is|are) inf\/NaN in int8/, 'the report says how many');
});

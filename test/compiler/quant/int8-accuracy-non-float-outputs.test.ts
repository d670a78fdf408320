import t from 'tap';
import { formatInt8Accuracy, int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { calibratedTemp, lcg, positiveRow } from './helpers.js';

// Outputs that are not float (an int64 ArgMax, a bool comparison) are compared exactly: `mismatches` counts the
// elements int8 changed, and the float-only measures (arg-max agreement, map IoU) are left out for them.

// y = x . w with positive x: column 1 is column 0 scaled by 1.001, which int8 rounds to the same weights (a tie that
// ArgMax breaks to 0 where float32 says 1); column 2's weights are too small for int8 (0, so y > 0 turns false)
const base = lcg(8, 1, 7).map((v) => v + 1);
const w = Float32Array.from({ length: 32 }, (_, k) => [base[k >> 2]!, base[k >> 2]! * 1.001, 1e-4, -base[k >> 2]!][k % 4]!);

const m = model(graph({
  nodes: [
    node('MatMul', ['x', 'w'], ['y'], {}, { name: 'head' }),
    node('ArgMax', ['y'], ['class'], { axis: { i: 1 }, keepdims: { i: 0 } }, { name: 'argmax' }),
    node('Greater', ['y', 'zero'], ['positive'], {}, { name: 'greater' }),
  ],
  inputs: [tensorInfo('x', 'float32', [1, 8])],
  outputs: [tensorInfo('y', 'float32', [1, 4]), tensorInfo('class', 'int64', [1]), tensorInfo('positive', 'bool', [1, 4])],
  initializers: [initializer('w', 'float32', [8, 4], w), initializer('zero', 'float32', [], Float32Array.of(0))],
}), { opset: 13 });

t.test('int64 and bool outputs are compared exactly instead of failing the report', async (t) => {
  const { file, profile } = await calibratedTemp(t, m, [1, 2, 3, 4].map(positiveRow));
  const sets = [100, 101, 102, 103, 104, 105].map(positiveRow);
  const report = await int8Accuracy(file, { load_profile: profile }, { inputs: sets });
  t.same(report.outputs.map((o) => o.name), ['y', 'class', 'positive'], 'every output has its entry, in the model order');
  const [y, cls, positive] = report.outputs;
  t.equal(y!.mismatches, undefined, 'a float output has no exact count');
  t.ok(y!.top1Agreement !== undefined);
  t.same(cls!.dims, [1]);
  t.ok(cls!.mismatches! > 0, `int8 changed the ArgMax (${cls!.mismatches} of ${sets.length})`);
  t.equal(cls!.mismatches, Math.round((1 - y!.top1Agreement!) * sets.length), "the int64 ArgMax differs exactly where y's top-1 does");
  t.equal(cls!.top1Agreement, undefined);
  t.same(positive!.dims, [1, 4]);
  t.ok(positive!.mismatches! >= sets.length && positive!.mismatches! <= 4 * sets.length, `the bool output's changed elements are counted (${positive!.mismatches}: column 2 in every set)`);
  t.equal(positive!.top1Agreement, undefined, 'no arg-max agreement for a bool output');
  t.match(formatInt8Accuracy(report), /\n\s+class\s+\[1\].*\d+ differ/, 'the table shows the exact count');
});

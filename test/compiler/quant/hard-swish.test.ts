/**
 * The int8 pass's hard-swish rewrite (lib/compiler/quant/hard-swish.ts): `x * Clip(x + 3, 0, 6) / 6` becomes
 * `x * HardSigmoid(x)` with the Div's output name kept and the same values on onnxruntime; look-alikes that are not
 * hard-swish, or whose intermediate values something else reads, are left as they are.
 */
import t from 'tap';
import { fuseHardSwish } from '../../../lib/compiler/quant/hard-swish.js';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { initializer, node, tensorInfo } from '../../../lib/onnx/builder.js';
import type { ModelProto, NodeProto } from '../../../lib/onnx/schema.js';
import { POINTWISE_SHAPE, freshNames, lcg, pointwiseModel, runUnoptimized } from './helpers.js';

const SHAPE = POINTWISE_SHAPE;

interface Variant {
  three?: number;
  lo?: number;
  hi?: number;
  six?: number;
  /** Mul(clip, c) and Add(3, c) instead of Mul(c, clip) and Add(c, 3) */
  swapped?: boolean;
  /** Clip bounds as attributes (opset 10) instead of inputs */
  clipAttributes?: boolean;
  /** an extra graph output reading this intermediate value */
  alsoRead?: 'a' | 'k' | 'm';
}

/** Conv -> hard-swish as exporters write it -> y, with the constants and wiring of `v`. */
function hardSwishModel(v: Variant = {}): ModelProto {
  const opset = v.clipAttributes ? 10 : 11;
  const clip = v.clipAttributes
    ? node('Clip', ['a'], ['k'], { min: { f: v.lo ?? 0 }, max: { f: v.hi ?? 6 } }, { name: 'clip' })
    : node('Clip', ['a', 'lo', 'hi'], ['k'], {}, { name: 'clip' });
  const nodes: NodeProto[] = [
    node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: { ints: [1, 1] } }, { name: 'conv' }),
    node('Add', v.swapped ? ['three', 'c'] : ['c', 'three'], ['a'], {}, { name: 'add' }),
    clip,
    node('Mul', v.swapped ? ['k', 'c'] : ['c', 'k'], ['m'], {}, { name: 'mul' }),
    node('Div', ['m', 'six'], ['y'], {}, { name: 'div' }),
  ];
  return pointwiseModel(nodes, v.alsoRead === undefined ? [] : [v.alsoRead], [
    initializer('three', 'float32', [], Float32Array.of(v.three ?? 3)), initializer('six', 'float32', [], Float32Array.of(v.six ?? 6)),
    ...(v.clipAttributes ? [] : [initializer('lo', 'float32', [], Float32Array.of(v.lo ?? 0)), initializer('hi', 'float32', [], Float32Array.of(v.hi ?? 6))]),
  ], opset);
}

function rewrite(m: ModelProto, keep: (n: NodeProto) => boolean = () => false): { model: ModelProto; count: number } {
  const out = structuredClone(m);
  const fresh = freshNames();
  const count = fuseHardSwish(out.graph!, fresh, keep);
  return { model: out, count };
}


// spans x + 3 < 0, 0..6 and > 6 after the Conv (weights up to +-2, inputs up to +-6)
const X = lcg(4 * 8 * 8, 12, 3);

for (const [label, variant] of [['Mul(c, clip), Add(c, 3)', {}], ['operands swapped', { swapped: true }], ['Clip bounds as attributes (opset 10)', { clipAttributes: true }]] as const) {
  t.test(`${label}: rewritten to HardSigmoid and Mul, same values, output name kept`, async (t) => {
    const original = hardSwishModel(variant);
    const { model: fused, count } = rewrite(original);
    t.equal(count, 1, 'one pattern rewritten');
    const ops = (fused.graph!.node ?? []).map((n) => n.op_type);
    t.same(ops, ['Conv', 'HardSigmoid', 'Mul'], 'Add, Clip, Mul, Div gone; HardSigmoid and Mul in their place, in order');
    const gate = fused.graph!.node![1]!;
    t.same(gate.input, ['c']);
    t.ok(Math.abs(gate.attribute!.find((a) => a.name === 'alpha')!.f! - 1 / 6) < 1e-7, 'alpha is 1/6');
    t.equal(gate.attribute!.find((a) => a.name === 'beta')!.f, 0.5, 'beta is 0.5');
    t.same(fused.graph!.node![2]!.output, ['y'], "the product keeps the Div's output name");
    const [a, b] = [await runUnoptimized(t, original, X, SHAPE), await runUnoptimized(t, fused, X, SHAPE)];
    let worst = 0;
    let low = 0;
    let high = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
      // hard-swish is 0 for x <= -3 and x itself above 3: outputs there show the input reached both clamps
      if (a[i] === 0) low++;
      if (a[i]! > 3) high++;
    }
    t.ok(low > 0 && high > 0, `the input reaches both clamps (${low} outputs at 0, ${high} above 3)`);
    t.ok(worst < 1e-6, `same values within float32 rounding (worst relative gap ${worst.toExponential(2)})`);
  });
}

t.test('look-alikes and shared intermediates are left alone', async (t) => {
  const cases: Array<[string, Variant]> = [
    ['Add of 2', { three: 2 }],
    ['Clip to 5', { hi: 5 }],
    ['Clip from -1', { lo: -1 }],
    ['Div by 5', { six: 5 }],
    ['the Add output is also a graph output', { alsoRead: 'a' }],
    ['the Clip output is also a graph output', { alsoRead: 'k' }],
    ['the Mul output is also a graph output', { alsoRead: 'm' }],
  ];
  for (const [label, variant] of cases) {
    const original = hardSwishModel(variant);
    const { model: after, count } = rewrite(original);
    t.equal(count, 0, `${label}: not rewritten`);
    t.same(after, original, `${label}: graph unchanged`);
  }
  const shared = hardSwishModel();
  shared.graph!.node!.push(node('Relu', ['k'], ['r'], {}, { name: 'extra' }));
  shared.graph!.output!.push(tensorInfo('r', 'float32', SHAPE));
  t.equal(rewrite(shared).count, 0, 'a Clip output another node reads: not rewritten');
  for (const kept of ['add', 'clip', 'mul', 'div']) {
    t.equal(rewrite(hardSwishModel(), (n) => n.name === kept).count, 0, `a pattern with a node the user keeps ('${kept}'): not rewritten`);
  }
});

t.test('quantizeGraph rewrites hard-swish by default and reports it; fuseHardSwish: false leaves it', async (t) => {
  const m = hardSwishModel();
  const ranges = new Map([['x', { min: -6, max: 6 }], ['c', { min: -20, max: 20 }]]);
  const on = quantizeGraph(m, { ranges });
  t.equal(on.report.hardSwishesFused, 1);
  t.ok((on.model.graph!.node ?? []).some((n) => n.op_type === 'HardSigmoid'), 'the quantized graph holds the HardSigmoid');
  t.notOk((on.model.graph!.node ?? []).some((n) => n.op_type === 'Div'), 'and no Div');
  const off = quantizeGraph(m, { ranges, fuseHardSwish: false });
  t.equal(off.report.hardSwishesFused, 0);
  t.ok((off.model.graph!.node ?? []).some((n) => n.op_type === 'Div'), 'the Div stays');
  // both quantized graphs compute the same function up to float32 rounding: the rewrite adds no error of its own
  const [a, b] = [await runUnoptimized(t, on.model, X, SHAPE), await runUnoptimized(t, off.model, X, SHAPE)];
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  t.ok(worst < 1e-5, `int8 with and without the rewrite agree (worst relative gap ${worst.toExponential(2)})`);
});

/**
 * The int8 pass's fold of a scale after hard-swish into the Conv before it (lib/compiler/quant/fold-swish-scale.ts):
 * `Mul(Mul(x, HardSigmoid(x)), c)` loses its Mul by c, the Conv's weight and bias are scaled, alpha becomes alpha / c,
 * the calibrated range of x is scaled, and the values stay the same on onnxruntime; anything else is left alone.
 */
import t from 'tap';
import { foldScaleThroughHardSwish } from '../../../lib/compiler/quant/fold-swish-scale.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import type { ModelProto, NodeProto } from '../../../lib/onnx/schema.js';
import { int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { POINTWISE_SHAPE, calibratedTemp, freshNames, lcg, pointwiseModel, runUnoptimized } from './helpers.js';

const SHAPE = POINTWISE_SHAPE;

interface Variant {
  /** the scale's values (one: a scalar) */
  c?: Float32Array;
  /** Mul(c, product) and Mul(gate, x) instead of Mul(product, c) and Mul(x, gate) */
  swapped?: boolean;
  /** the HardSigmoid reads this instead of x */
  gateInput?: string;
  /** an extra graph output reading this value */
  alsoRead?: 'c' | 'g' | 'p';
  /** no bias on the Conv */
  noBias?: boolean;
}

/** x -> Conv -> c; g = HardSigmoid(c); p = Mul(c, g); y = Mul(p, scale). */
function swishScaleModel(v: Variant = {}): ModelProto {
  const nodes: NodeProto[] = [
    node('Conv', v.noBias ? ['x', 'w'] : ['x', 'w', 'b'], ['c'], { kernel_shape: { ints: [1, 1] } }, { name: 'conv' }),
    node('HardSigmoid', [v.gateInput ?? 'c'], ['g'], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }, { name: 'gate' }),
    node('Mul', v.swapped ? ['g', 'c'] : ['c', 'g'], ['p'], {}, { name: 'product' }),
    node('Mul', v.swapped ? ['scale', 'p'] : ['p', 'scale'], ['y'], {}, { name: 'scale_mul' }),
  ];
  const c = v.c ?? Float32Array.of(2.5);
  return pointwiseModel(nodes, v.alsoRead === undefined ? [] : [v.alsoRead], [initializer('scale', 'float32', c.length === 1 ? [] : [c.length, 1, 1], c)], 11);
}

function fold(m: ModelProto, keep: (n: NodeProto) => boolean = () => false) {
  const out = structuredClone(m);
  const fresh = freshNames(['w', 'b', 'scale']);
  const ranges = new Map([['c', { min: -4, max: 10 }], ['x', { min: -6, max: 6 }]]);
  const scaled = foldScaleThroughHardSwish(out.graph!, fresh, keep, ranges);
  return { model: out, count: scaled.length, scaled, ranges };
}


// spans both clamps of the gate after the Conv (weights up to +-2, inputs up to +-6)
const X = lcg(4 * 8 * 8, 12, 3);

for (const [label, variant, expectedRange] of [
  ['scale 2.5', {}, { min: -10, max: 25 }],
  ['scale -0.5, operands swapped', { c: Float32Array.of(-0.5), swapped: true }, { min: -5, max: 2 }],
  ['no bias', { noBias: true }, { min: -10, max: 25 }],
] as const) {
  t.test(`${label}: the scale moves into the Conv, values and range follow`, async (t) => {
    const original = swishScaleModel(variant);
    const { model: folded, count, scaled, ranges } = fold(original);
    t.equal(count, 1, 'one scale folded');
    const c = (variant as { c?: Float32Array }).c?.[0] ?? 2.5;
    const nodes = folded.graph!.node!;
    t.same(nodes.map((n) => n.op_type), ['Conv', 'HardSigmoid', 'Mul'], 'the Mul by the scale is gone');
    const renamed = nodes[0]!.output![0]!;
    t.not(renamed, 'c', "the Conv writes a new tensor: 'c' keeps its float meaning");
    t.same(scaled, [{ tensor: renamed, source: 'c', scale: Math.fround(c) }], 'the scaled tensor is reported with its source and factor');
    t.same(nodes[1]!.input, [renamed], 'the HardSigmoid reads it');
    t.ok(nodes[2]!.input!.includes(renamed) && nodes[2]!.input!.includes('g'), 'the product reads it and the gate');
    t.same(nodes[2]!.output, ['y'], "the product takes the scale Mul's output name");
    const alpha = nodes[1]!.attribute!.find((a) => a.name === 'alpha')!.f!;
    t.ok(Math.abs(alpha - 1 / 6 / c) < 1e-6, `alpha is 1/6 / c (${alpha})`);
    t.same(ranges.get(renamed), expectedRange, "the new tensor's range is x's scaled by c, bounds in order");
    t.same(ranges.get('c'), { min: -4, max: 10 }, "x's own range is kept");
    t.same(ranges.get('x'), { min: -6, max: 6 }, 'other ranges untouched');
    const noBias = (variant as { noBias?: boolean }).noBias === true;
    t.equal(nodes[0]!.input!.length, noBias ? 2 : 3, 'the Conv keeps its arity');
    t.notOk(nodes[0]!.input!.slice(1).some((name) => name === 'w' || name === 'b'), 'the Conv reads new, scaled constants');
    const [a, b] = [await runUnoptimized(t, original, X, SHAPE), await runUnoptimized(t, folded, X, SHAPE)];
    let worst = 0;
    let zeros = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
      if (a[i] === 0) zeros++;
    }
    t.ok(zeros > 0, `the gate's lower clamp is reached (${zeros} zeros)`);
    t.ok(worst < 1e-5, `same values within float32 rounding (worst relative gap ${worst.toExponential(2)})`);
  });
}

t.test('anything that is not this pattern, or is shared, is left alone', async (t) => {
  const cases: Array<[string, Variant]> = [
    ['a zero scale', { c: Float32Array.of(0) }],
    ['a per-channel scale', { c: Float32Array.of(1, 2, 3, 4) }],
    ['a gate over another tensor', { gateInput: 'x' }],
    ['the Conv output is also a graph output', { alsoRead: 'c' }],
    ['the gate is also a graph output', { alsoRead: 'g' }],
    ['the product is also a graph output', { alsoRead: 'p' }],
  ];
  for (const [label, variant] of cases) {
    const original = swishScaleModel(variant);
    const { model: after, count, ranges } = fold(original);
    t.equal(count, 0, `${label}: not folded`);
    t.same(after, original, `${label}: graph unchanged`);
    t.same(ranges.get('c'), { min: -4, max: 10 }, `${label}: range unchanged`);
  }
  for (const kept of ['conv', 'gate', 'product', 'scale_mul']) {
    t.equal(fold(swishScaleModel(), (n) => n.name === kept).count, 0, `a node the user keeps ('${kept}'): not folded`);
  }
});

t.test('int8Accuracy measures a folded Conv against its float32 output times the factor', async (t) => {
  // x -> Conv -> hard-swish as exported -> Mul(2.5) -> Conv -> y: the int8 pass rewrites and folds, the probe of the
  // first Conv must still compare like with like (without the factor its own error would be about 1.5)
  const m = model(graph({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: { ints: [1, 1] } }, { name: 'conv' }),
      node('Add', ['c', 'three'], ['a'], {}, { name: 'add' }),
      node('Clip', ['a', 'zero', 'six'], ['k'], {}, { name: 'clip' }),
      node('Mul', ['c', 'k'], ['m'], {}, { name: 'mul' }),
      node('Div', ['m', 'six'], ['h'], {}, { name: 'div' }),
      node('Mul', ['h', 'scale'], ['s'], {}, { name: 'scale_mul' }),
      node('Conv', ['s', 'w2', 'b2'], ['y'], { kernel_shape: { ints: [1, 1] } }, { name: 'conv2' }),
    ],
    inputs: [tensorInfo('x', 'float32', SHAPE)],
    outputs: [tensorInfo('y', 'float32', SHAPE)],
    initializers: [
      initializer('w', 'float32', [4, 4, 1, 1], lcg(16, 4, 1)), initializer('b', 'float32', [4], lcg(4, 2, 2)),
      initializer('w2', 'float32', [4, 4, 1, 1], lcg(16, 2, 5)), initializer('b2', 'float32', [4], lcg(4, 1, 6)),
      initializer('three', 'float32', [], Float32Array.of(3)), initializer('zero', 'float32', [], Float32Array.of(0)),
      initializer('six', 'float32', [], Float32Array.of(6)), initializer('scale', 'float32', [], Float32Array.of(2.5)),
    ],
  }), { opset: 13 });
  const sets = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ({ x: { data: lcg(4 * 8 * 8, 12, seed + i), shape: SHAPE } }));
  const { file, profile } = await calibratedTemp(t, m, sets(8, 10));
  const report = await int8Accuracy(file, { load_profile: profile, keep_stem_nodes: 0 }, { inputs: sets(3, 100) });
  const first = report.worstNodes.find((n) => n.node === 'conv');
  t.ok(first !== undefined, 'the folded Conv is measured');
  t.equal(first?.tensor, 'c', 'under its float32 tensor name');
  t.ok(first !== undefined && first.relativeL2Error < 0.05, `its own error is a quantization error (${first?.relativeL2Error.toExponential(2)}), not the factor`);
  t.ok(report.outputs[0]!.relativeL2Error < 0.1, `the output stays close to float32 (${report.outputs[0]!.relativeL2Error.toExponential(2)})`);
});

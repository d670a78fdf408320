import t from 'tap';
import { convertToFp16 } from '../../../lib/compiler/fp16/index.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { ort, runModel } from './helpers.js';

// y = x * scale + shift, with constants built to leave the float16 range:
// scale: 3 overflows (1e5, -1e5, 7e4), 2 underflows (1e-9, 2e-8 < 2^-25), 1 subnormal (3e-8 -> 2^-24), 2 fine.
// shift: 1 underflow (-1e-10).
function rangeModel() {
  return model(graph({
    nodes: [node('Mul', ['x', 'scale'], ['m']), node('Add', ['m', 'shift'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [8])],
    outputs: [tensorInfo('y', 'float32', [8])],
    initializers: [
      initializer('scale', 'float32', [8], Float32Array.from([1e5, -1e5, 7e4, 1e-9, 2e-8, 3e-8, 0.5, 0])),
      initializer('shift', 'float32', [8], Float32Array.from([0, 0, 0, 0, 0, 0, 0, -1e-10])),
    ],
  }));
}

t.test('overflow and underflow are counted per tensor and reported with the SDK warning', async (t) => {
  const { model: converted, report } = convertToFp16(rangeModel());
  t.same(report.tensorIssues, [
    { tensor: 'scale', elements: 8, overflow: 3, underflow: 2, subnormal: 1, maxAbs: 1e5, clipped: false },
    { tensor: 'shift', elements: 8, overflow: 0, underflow: 1, subnormal: 0, maxAbs: Math.fround(1e-10), clipped: false },
  ]);
  t.same(report.warnings, [
    'WARNING: scale contains value or values that will underflow after conversion to 16-bit floating point values.\n'
      + 'WARNING: scale contains value or values that will overflow after conversion to 16-bit floating point values.',
    'WARNING: shift contains value or values that will underflow after conversion to 16-bit floating point values.',
  ]);
  const y = (await runModel(converted, { x: new ort.Tensor('float32', new Float32Array(8).fill(1), [8]) })).y!.data as Float32Array;
  t.same([...y.slice(0, 3)], [Infinity, -Infinity, Infinity], 'without clipping, overflowed constants are infinities');
  t.same([...y.slice(3, 5)], [0, 0], 'underflowed constants are zeros');
  t.equal(y[5], 2 ** -24, '3e-8 became the smallest subnormal');
});

t.test('clip: true clips constants to +-65504 instead of infinity', async (t) => {
  const { model: converted, report } = convertToFp16(rangeModel(), { clip: true });
  t.equal(report.tensorIssues[0]!.clipped, true);
  t.match(report.warnings[0]!, /overflow after conversion to 16-bit floating point values \(clipped to \+-65504\)\./);
  const y = (await runModel(converted, { x: new ort.Tensor('float32', new Float32Array(8).fill(1), [8]) })).y!.data as Float32Array;
  t.same([...y.slice(0, 3)], [65504, -65504, 65504]);
});

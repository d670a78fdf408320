import t from 'tap';
import { activationParams, biasScale, dequantizeValue, quantizeBias, quantizeValue, roundHalfToEven, weightParams } from '../../../lib/compiler/quant/params.js';

const f = Math.fround;

t.test('round half to even, as ONNX QuantizeLinear', async (t) => {
  t.same([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfToEven), [0, 2, 2, 0, -2, -2, 2, -3]);
  t.ok(Object.is(roundHalfToEven(-0.5), 0), 'never -0');
});

t.test('activation parameters per schema, hand-computed', async (t) => {
  t.same(activationParams(-1, 3, 'asymmetric'), { scale: f(4 / 255), zeroPoint: 64, type: 'uint8' }, 'asymmetric: zp = round(1 / (4/255)) = round(63.75)');
  // float32 2/255 is slightly above 2/255, so 1 / scale is 127.499992 (in float32 too, as onnxruntime computes it)
  t.same(activationParams(-1, 1, 'asymmetric'), { scale: f(2 / 255), zeroPoint: 127, type: 'uint8' }, 'asymmetric: 1 / f32(2/255) = 127.499992 rounds to 127');
  t.same(activationParams(0.5, 2, 'asymmetric'), { scale: f(2 / 255), zeroPoint: 0, type: 'uint8' }, 'the range is widened to contain 0');
  t.same(activationParams(-1, 3, 'symmetric'), { scale: f(6 / 255), zeroPoint: 128, type: 'uint8' }, 'symmetric: +-max|x|, uint8 zero point 128 (int8 0)');
  t.same(activationParams(0, 2.55, 'symmetric_with_uint8'), { scale: f(0.01), zeroPoint: 0, type: 'uint8' }, 'symmetric_with_uint8, min >= 0: the whole unsigned range');
  t.same(activationParams(-0.1, 2.55, 'symmetric_with_uint8'), { scale: f(5.1 / 255), zeroPoint: 128, type: 'uint8' }, 'symmetric_with_uint8, min < 0: symmetric');
  t.same(activationParams(-1, 1, 'symmetric_with_power2_scale'), { scale: 1 / 64, zeroPoint: 128, type: 'uint8' }, 'power2: 2/255 = 0.00784 rounds up to 2^-6');
  t.same(activationParams(0, 0, 'asymmetric'), { scale: 0.1, zeroPoint: 0, type: 'uint8' }, 'an empty range gets scale 0.1');
  t.throws(() => activationParams(1, -1, 'symmetric', "'conv1'"), { code: 'QAIC_INVALID_ARGUMENT', message: /'conv1'.*\[1, -1\]/ });
  t.throws(() => activationParams(Number.NaN, 1, 'symmetric'), { code: 'QAIC_INVALID_ARGUMENT' });
});

t.test('weight parameters per schema, hand-computed', async (t) => {
  t.same(weightParams(-0.5, 1.27, 'symmetric'), { scale: f(0.01), zeroPoint: 0, type: 'int8' }, 'symmetric weights: max|w| / 127');
  t.same(weightParams(0.2, 1.27, 'symmetric_with_uint8'), { scale: f(0.01), zeroPoint: 0, type: 'int8' }, 'symmetric_with_uint8 weights stay symmetric int8');
  t.same(weightParams(-1, 1, 'asymmetric'), { scale: f(2 / 255), zeroPoint: -1, type: 'int8' }, 'asymmetric: zp = round(-128 + 127.499992) = -1');
  t.same(weightParams(-0.5, 0.5, 'asymmetric'), { scale: f(1 / 255), zeroPoint: -1, type: 'int8' }, 'asymmetric: the same at another scale');
  t.same(weightParams(-1, 3, 'asymmetric'), { scale: f(4 / 255), zeroPoint: -64, type: 'int8' }, 'asymmetric: zp = round(-128 + 63.75)');
  t.same(weightParams(-1.27, 0.3, 'symmetric_with_power2_scale'), { scale: 1 / 64, zeroPoint: 0, type: 'int8' }, 'power2: 0.01 rounds up to 2^-6');
});

t.test('quantize and dequantize at the rounding edges and the saturation limits', async (t) => {
  const u = { scale: 0.5, zeroPoint: 10, type: 'uint8' as const };
  t.equal(quantizeValue(0.25, u), 10, '0.5 steps rounds half to even (0)');
  t.equal(quantizeValue(0.75, u), 12, '1.5 steps rounds to 2');
  t.equal(quantizeValue(-100, u), 0, 'saturates at 0');
  t.equal(quantizeValue(1000, u), 255, 'saturates at 255');
  const s = { scale: 0.5, zeroPoint: 0, type: 'int8' as const };
  t.equal(quantizeValue(-1000, s), -128);
  t.equal(quantizeValue(1000, s), 127);
  t.equal(dequantizeValue(12, u), 1);
  t.equal(biasScale(0.5, 0.25), 0.125);
  const b = quantizeBias(new Float32Array([0.3, -0.3, 1e10]), 0.1);
  t.same([...b.data], [3, -3, 2147483647]);
  t.equal(b.saturated, 1, 'a saturated bias element is counted, not hidden');
});

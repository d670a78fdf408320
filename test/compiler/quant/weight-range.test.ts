// Int8 weights use 7 bits on x86 hosts without an int8 dot-product instruction (AVX2's kernels add pairs of
// uint8 x int8 products into saturating int16) and 8 bits elsewhere; the scale and zero point follow exactly.
import t from 'tap';
import { int8WeightRange } from '../../../lib/compiler/quant/weight-range.js';
import { quantizeValue, weightParams } from '../../../lib/compiler/quant/params.js';

t.test('the weight range follows the host: 7 bits on AVX2-only x86, 8 with VNNI, AVX-VNNI, AMX or on arm64', async (t) => {
  const avx2 = new Set(['sse4_2', 'avx', 'avx2', 'fma']);
  t.equal(int8WeightRange(avx2, 'x64').bits, 7);
  t.match(int8WeightRange(avx2, 'x64').reason, /no avx512_vnni, avx_vnni, amx_int8.*saturating int16/);
  t.equal(int8WeightRange(new Set([...avx2, 'avx512f', 'avx512_vnni']), 'x64').bits, 8);
  t.equal(int8WeightRange(new Set([...avx2, 'avx_vnni']), 'x64').bits, 8);
  t.equal(int8WeightRange(new Set([...avx2, 'amx_int8']), 'x64').bits, 8);
  t.equal(int8WeightRange(new Set(), 'arm64').bits, 8);
  t.equal(int8WeightRange(new Set(), 'x64').bits, 7, 'an x86 host that publishes no flags is assumed to lack VNNI');
});

t.test('7-bit weights: symmetric scale max|w|/63, zero point 0, values within [-63, 63]', async (t) => {
  const p = weightParams(-0.5, 1.26, 'symmetric', 'w', 7);
  t.equal(p.scale, Math.fround(1.26 / 63));
  t.equal(p.zeroPoint, 0);
  t.equal(quantizeValue(1.26, p), 63);
  t.equal(quantizeValue(-1.26, p), -63);
  const weights = [-0.5, -0.31, 0, 0.02, 0.7, 1.26];
  t.ok(weights.every((w) => Math.abs(quantizeValue(w, p)) <= 63), 'every weight of the range lands in [-63, 63]');
  const full = weightParams(-0.5, 1.26, 'symmetric', 'w');
  t.equal(full.scale, Math.fround(1.26 / 127), '8 bits by default');
});

t.test('7-bit weights: asymmetric over [-64, 63] with the zero point inside it', async (t) => {
  const p = weightParams(-1, 3, 'asymmetric', 'w', 7);
  t.equal(p.scale, Math.fround(4 / 127));
  t.equal(p.zeroPoint, Math.round(-64 + 1 / Math.fround(4 / 127)));
  t.equal(quantizeValue(-1, p), -64);
  t.equal(quantizeValue(3, p), 63);
  const q8 = weightParams(-1, 3, 'asymmetric', 'w');
  t.equal(q8.scale, Math.fround(4 / 255));
  t.equal(quantizeValue(3, q8), 127);
});

import t from 'tap';
import ort from 'onnxruntime-node';
import {
  float16ToFloat32Array, float32BitsToFloat16Bits, float32ToFloat16Array, fromFloat16Bits, toFloat16Bits,
} from '../../../lib/compiler/fp16/half.js';
import { graph, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { encodeModel } from '../../../lib/onnx/model.js';

const isNaNBits = (b: number) => (b & 0x7c00) === 0x7c00 && (b & 0x03ff) !== 0;

t.test('float32 -> float16 gives the IEEE bit patterns', async (t) => {
  const cases: Array<[number, number, string]> = [
    [1, 0x3c00, 'one'],
    [-2, 0xc000, 'minus two'],
    [65504, 0x7bff, 'largest finite'],
    [2 ** -24, 0x0001, 'smallest subnormal'],
    [2 ** -14, 0x0400, 'smallest normal'],
    [2 ** -14 - 2 ** -24, 0x03ff, 'largest subnormal'],
    [0.1, 0x2e66, '0.1 rounds down'],
    [Math.PI, 0x4248, 'pi'],
    [0, 0x0000, 'zero'],
    [-0, 0x8000, 'negative zero keeps its sign'],
    [Infinity, 0x7c00, '+inf'],
    [-Infinity, 0xfc00, '-inf'],
    [65519, 0x7bff, 'just below the overflow midpoint rounds to 65504'],
    [65520, 0x7c00, 'the overflow midpoint ties to even: infinity'],
    [1e6, 0x7c00, 'overflow to +inf'],
    [-1e6, 0xfc00, 'overflow to -inf'],
    [2 ** -26, 0x0000, 'underflow to zero'],
    [-(2 ** -26), 0x8000, 'underflow to negative zero'],
    // ties to even
    [1 + 2 ** -11, 0x3c00, 'tie between 0x3c00 and 0x3c01 goes to the even 0x3c00'],
    [1 + 3 * 2 ** -11, 0x3c02, 'tie between 0x3c01 and 0x3c02 goes to the even 0x3c02'],
    [1 + 2 ** -11 + 2 ** -20, 0x3c01, 'just above a tie rounds up'],
    [2 ** -25, 0x0000, 'subnormal tie between 0 and 0x0001 goes to 0'],
    [3 * 2 ** -25, 0x0002, 'subnormal tie between 0x0001 and 0x0002 goes to 0x0002'],
    [2 ** -25 * (1 + 2 ** -20), 0x0001, 'just above half the smallest subnormal rounds up'],
    [2 ** -14 - 2 ** -25, 0x0400, 'tie between the largest subnormal and the smallest normal carries into the normal'],
  ];
  for (const [value, bits, what] of cases) t.equal(toFloat16Bits(value), bits, `${what}: ${value} -> 0x${bits.toString(16)}`);
});

t.test('NaN stays NaN, whatever its payload', async (t) => {
  t.ok(isNaNBits(toFloat16Bits(NaN)));
  // A payload only in the low 13 bits: truncating it would give 0x7c00, infinity.
  t.ok(isNaNBits(float32BitsToFloat16Bits(0x7f800001)), 'signalling NaN with a low payload');
  t.equal(float32BitsToFloat16Bits(0xffc00000) & 0x8000, 0x8000, 'sign kept');
  t.ok(isNaNBits(float32BitsToFloat16Bits(0xffc00000)));
  t.ok(Number.isNaN(fromFloat16Bits(0x7e00)));
  t.ok(Number.isNaN(fromFloat16Bits(0x7c01)));
});

t.test('float16 -> number is exact for every pattern, and converting back gives the same bits', async (t) => {
  t.equal(fromFloat16Bits(0x0001), 2 ** -24);
  t.equal(fromFloat16Bits(0x7bff), 65504);
  t.equal(fromFloat16Bits(0xfc00), -Infinity);
  t.ok(Object.is(fromFloat16Bits(0x8000), -0));
  let mismatches = 0;
  for (let b = 0; b < 0x10000; b++) {
    if (isNaNBits(b)) continue;
    if (toFloat16Bits(fromFloat16Bits(b)) !== b) mismatches++;
  }
  t.equal(mismatches, 0, 'all 63488 non-NaN patterns round-trip');
  const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
  const back = float16ToFloat32Array(all);
  t.equal(back[0x3c00], 1);
});

t.test('array conversion counts overflow, underflow and subnormals, and clips on request', async (t) => {
  const values = Float32Array.from([1, 70000, -70000, 1e-9, -1e-9, 2 ** -20, 0, Infinity, NaN]);
  const plain = float32ToFloat16Array(values);
  t.same({ ...plain.stats }, { overflow: 2, underflow: 2, subnormal: 1, maxAbs: 70000 });
  t.equal(plain.bits[1], 0x7c00);
  t.equal(plain.bits[2], 0xfc00);
  t.equal(plain.bits[7], 0x7c00, 'a real infinity is not an overflow and stays infinity');
  const clipped = float32ToFloat16Array(values, true);
  t.equal(clipped.bits[1], 0x7bff, '+70000 clips to 65504');
  t.equal(clipped.bits[2], 0xfbff, '-70000 clips to -65504');
  t.equal(clipped.bits[7], 0x7c00, 'infinity is not clipped');
  t.ok(isNaNBits(clipped.bits[8]!));
});

t.test('agrees bit for bit with onnxruntime Cast on 200k random float32 patterns', async (t) => {
  const count = 200_000;
  const bits = new Uint32Array(count);
  let s = 12345;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const hi = s;
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    bits[i] = ((hi & 0xffff0000) | (s >>> 16)) >>> 0;
    // Half of the samples concentrate on float16's range (exponents 100..145), where rounding is interesting.
    if (i % 2 === 0) bits[i] = (bits[i]! & 0x807fffff) | ((100 + (i % 46)) << 23);
  }
  const values = new Float32Array(bits.buffer);
  const m = model(graph({
    nodes: [node('Cast', ['x'], ['y'], { to: { i: 10 } })],
    inputs: [tensorInfo('x', 'float32', [count])],
    outputs: [tensorInfo('y', 'float16', [count])],
  }));
  const session = await ort.InferenceSession.create(encodeModel(m));
  const out = (await session.run({ x: new ort.Tensor('float32', values, [count]) })).y!.data as Uint16Array;
  await session.release();
  const ours = float32ToFloat16Array(values).bits;
  let diff = 0;
  let first = -1;
  for (let i = 0; i < count; i++) {
    if (isNaNBits(out[i]!) && isNaNBits(ours[i]!)) continue;
    if (out[i] !== ours[i]) { diff++; if (first < 0) first = i; }
  }
  t.equal(diff, 0, first < 0 ? 'identical' : `first difference at float32 0x${bits[first]!.toString(16)}: ort 0x${out[first]!.toString(16)}, ours 0x${ours[first]!.toString(16)}`);
});

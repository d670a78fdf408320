/**
 * The native engine computes what the worker engine computes (issue 13): the PP-OCR classifier's outputs are
 * bit-identical on both, and every dtype round trips exactly through run() on native.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from '../metrics/helpers.js';
import { identityModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

const skip = NATIVE_SKIP;

function clsBatch(): Float32Array {
  const x = new Float32Array(3 * 48 * 192);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.8;
  return x;
}

t.test('cls: the same outputs, bit for bit, on engine native and engine worker', { skip }, async (t) => {
  const outputs: Record<string, number[]> = {};
  for (const engine of ['native', 'worker'] as const) {
    const session = new Session(CLS, { engine, onnx_define_symbol: CLS_SYMBOLS });
    try {
      const out = await session.run({ x: { data: clsBatch(), shape: [1, 3, 48, 192] } });
      t.equal(session.engine, engine, `session.engine is ${engine}`);
      const y = Object.values(out)[0]!;
      t.same(y.shape, [1, 2], `${engine}: shape`);
      outputs[engine] = [...new Uint8Array((y.data as Float32Array).buffer, (y.data as Float32Array).byteOffset, (y.data as Float32Array).byteLength)];
    } finally {
      await session.close();
    }
  }
  t.strictSame(outputs.native, outputs.worker, 'bit-identical');
});

const EDGE: Record<string, () => unknown> = {
  float32: () => new Float32Array([0, -0, Infinity, -Infinity, NaN, 1.401298464324817e-45]),
  float64: () => new Float64Array([0, -0, NaN, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]),
  float16: () => new Uint16Array([0x7c00, 0xfc00, 0x0001, 0x8000, 0x7e01, 0x3c00]),
  int8: () => new Int8Array([-128, 127, 0, -1, 1, 42]),
  uint8: () => new Uint8Array([0, 255, 1, 128, 127, 254]),
  int16: () => new Int16Array([-32768, 32767, 0, -1, 1, 12345]),
  uint16: () => new Uint16Array([0, 65535, 1, 32768, 0x7c00, 2]),
  int32: () => new Int32Array([-2147483648, 2147483647, 0, -1, 1, 7]),
  uint32: () => new Uint32Array([0, 4294967295, 1, 2147483648, 3, 4]),
  int64: () => new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n), 0n, -1n, 2n ** 53n + 1n, 5n]),
  uint64: () => new BigUint64Array([2n ** 64n - 1n, 0n, 2n ** 63n, 1n, 2n ** 53n + 1n, 6n]),
  bool: () => new Uint8Array([1, 0, 1, 1, 0, 0]),
  string: () => ['', '😀', 'naïve', 'tab\there', '🇫🇷👩‍👩‍👧', 'plain'],
};

function bytesOf(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  const view = data as ArrayBufferView;
  return [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
}

t.test('every dtype round trips exactly through run() on the native engine, with its container', { skip }, async (t) => {
  for (const [dtype, make] of Object.entries(EDGE)) {
    const session = new Session(identityModel(dtype as never), { engine: 'native' });
    try {
      const input = make();
      const out = await session.run({ x: { data: input as never, shape: [2, 3] } });
      const y = out['y']!;
      t.equal(session.engine, 'native', `${dtype}: on the native engine`);
      t.equal(y.dtype, dtype, `${dtype}: dtype name`);
      t.same(y.shape, [2, 3], `${dtype}: shape`);
      t.equal(y.data.constructor, (input as object).constructor, `${dtype}: container`);
      t.strictSame(bytesOf(y.data), bytesOf(make()), `${dtype}: values bit-exact`);
      if (Array.isArray(input)) t.strictSame(input, make(), `${dtype}: the caller's strings are left as they were`);
      else t.equal((input as ArrayBufferView).byteLength, 0, `${dtype}: the caller's array was taken over (detached), as on the worker engine`);
    } finally {
      await session.close();
    }
  }
});

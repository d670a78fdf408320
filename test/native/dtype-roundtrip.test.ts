/**
 * Every dtype of the wire format goes in and comes back bit for bit through a native activation (Identity models),
 * in its container; the addon's run() copies the inputs, so the caller may overwrite its buffer at once.
 */
import t from 'tap';
import type { DType, TensorData } from '../../lib/dtypes.js';
import { identityModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

// Edge values per dtype, six each (shape [2, 3]).
function edgeValues(dtype: DType): TensorData {
  switch (dtype) {
    case 'float32': {
      const f = new Float32Array([0, -0, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45]);
      new DataView(f.buffer).setUint32(0, 0x7fc0_1234, true); // NaN with a payload
      return f;
    }
    case 'float64': {
      const d = new Float64Array([0, -0, NaN, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]);
      new DataView(d.buffer).setBigUint64(2 * 8, 0x7ff8_0000_dead_beefn, true);
      return d;
    }
    case 'float16': return new Uint16Array([0x7c00, 0xfc00, 0x0001, 0x8000, 0x7e01, 0x3c00]);
    case 'int8': return new Int8Array([-128, 127, 0, -1, 1, 42]);
    case 'uint8': return new Uint8Array([0, 255, 1, 128, 127, 254]);
    case 'int16': return new Int16Array([-32768, 32767, 0, -1, 1, 12345]);
    case 'uint16': return new Uint16Array([0, 65535, 1, 32768, 0x7c00, 2]);
    case 'int32': return new Int32Array([-2147483648, 2147483647, 0, -1, 1, 7]);
    case 'uint32': return new Uint32Array([0, 4294967295, 1, 2147483648, 3, 4]);
    case 'int64': return new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n), 0n, -1n, 2n ** 53n + 1n, 5n]);
    case 'uint64': return new BigUint64Array([2n ** 64n - 1n, 0n, 2n ** 63n, 1n, 2n ** 53n + 1n, 6n]);
    case 'bool': return new Uint8Array([1, 0, 1, 1, 0, 0]);
    case 'string': return ['', '😀', 'naïve', 'tab\there', '🇫🇷👩‍👩‍👧', 'plain'];
  }
}

function bytesOf(data: unknown): number[] | string[] {
  if (Array.isArray(data)) return data as string[];
  const view = data as ArrayBufferView;
  return [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
}

const DTYPES: DType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];

t.test('every dtype round trips exactly, in its container, and inputs are copied at run()', { skip }, async (t) => {
  const addon = engineAddon();
  for (const dtype of DTYPES) {
    const activation = new TestActivation(addon, identityModel(dtype), ['x']);
    try {
      t.equal((await activation.started()).type, 'ready', `${dtype}: loads`);
      const input = edgeValues(dtype);
      const expected = bytesOf(Array.isArray(input) ? [...input] : input.slice());
      const pending = activation.run([{ type: dtype, dims: [2, 3], data: input }]);
      // the input contract: the data was copied before run() returned
      if (Array.isArray(input)) input.fill('overwritten');
      else if (input instanceof BigInt64Array || input instanceof BigUint64Array) input.fill(0n);
      else input.fill(0);
      const out = await pending;
      t.equal(out.type, 'result', `${dtype}: a result`);
      if (out.type !== 'result') continue;
      const y = out.outputs['y']!;
      t.equal(y.type, dtype, `${dtype}: dtype name`);
      t.same(y.dims, [2, 3], `${dtype}: dims`);
      t.equal((y.data as object).constructor, input.constructor, `${dtype}: container ${input.constructor.name}`);
      t.strictSame(bytesOf(y.data), expected, `${dtype}: values bit-exact, unaffected by overwriting the input`);
    } finally {
      await activation.close();
    }
  }
});

t.test('scalars and empty tensors round trip', { skip }, async (t) => {
  const addon = engineAddon();
  const scalar = new TestActivation(addon, identityModel('int64', []), ['x']);
  const empty = new TestActivation(addon, identityModel('string', [0, 3]), ['x']);
  try {
    const s = await scalar.run([{ type: 'int64', dims: [], data: BigInt64Array.of(-7n) }]);
    t.match(s, { type: 'result', outputs: { y: { type: 'int64', dims: [] } } });
    if (s.type === 'result') t.same([...(s.outputs['y']!.data as BigInt64Array)], [-7n], 'a scalar');
    const e = await empty.run([{ type: 'string', dims: [0, 3], data: [] }]);
    t.match(e, { type: 'result', outputs: { y: { type: 'string', dims: [0, 3], data: [] } } }, 'an empty string tensor');
  } finally {
    await scalar.close();
    await empty.close();
  }
});

t.test('BAD CALL - malformed feeds throw at run(), naming the input and what is wrong', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), identityModel('float32'), ['x']);
  const native = activation.native;
  try {
    t.throws(() => native.run(1, 0, [{ type: 'float33', dims: [2, 3], data: new Float32Array(6) }], null),
      { message: /input 'x': type must be one of float32, .*string, got 'float33'/ }, 'an unknown dtype');
    t.throws(() => native.run(2, 0, [{ type: 'float32', dims: [2, 3], data: new Float32Array(5) }], null),
      { message: "input 'x': dims [2, 3] hold 6 elements, data has 5" }, 'a length not matching the dims');
    t.throws(() => native.run(3, 0, [{ type: 'float32', dims: [2, 3], data: new Float64Array(6) }], null),
      { message: "input 'x': float32 data must be a Float32Array" }, 'the wrong container');
    t.throws(() => native.run(4, 0, [{ type: 'float32', dims: [2, -3], data: new Float32Array(6) }], null),
      { message: "input 'x': dims[1] must be a non-negative integer" }, 'a negative dim');
    t.throws(() => native.run(5, 0, [{ type: 'string', dims: [2], data: ['a', 3 as unknown as string] }], null),
      { message: "input 'x': element 1 of a string tensor is not a string" }, 'a non-string in a string tensor');
    t.throws(() => native.run(6, 0, [{ type: 'string', dims: [2], data: ['a', 'b\u0000c'] }], null),
      { message: /input 'x': element 1 contains a NUL character/ }, 'a NUL in a string');
    t.throws(() => native.run(7, 0, [], null), { message: 'graph 0 takes 1 input(s), got 0 feed(s)' }, 'a missing feed');
    t.throws(() => native.run(8, 3, [], null), { message: /graph 3 is not registered/ }, 'an unknown graph');
    // nothing was queued by the refused calls: the next run is answered as the first
    const ok = await activation.run([{ type: 'float32', dims: [2, 3], data: new Float32Array(6).fill(2) }]);
    t.equal(ok.type, 'result', 'the activation still serves runs');
    t.equal(activation.events.filter((e) => e.type === 'run-failed').length, 0, 'refused calls left no events');
  } finally {
    await activation.close();
  }
});

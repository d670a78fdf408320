import t from 'tap';
import { Session } from '../../lib/session.js';
import type { DType, TensorData } from '../../lib/dtypes.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { identityModel, writeModel } from '../fixtures/models.js';

// Edge values per dtype, six each (shape [2, 3]); every one must come back bit for bit.
function edgeValues(dtype: DType): TensorData {
  switch (dtype) {
    case 'float32': {
      const f = new Float32Array([0, -0, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45]);
      new DataView(f.buffer).setUint32(0, 0x7fc0_1234, true); // NaN with a payload
      return f;
    }
    case 'float64': {
      const d = new Float64Array([0, -0, NaN, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]);
      // a NaN with a payload: bits must survive, not just NaN-ness
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

function bytesOf(data: TensorData): number[] | string[] {
  if (Array.isArray(data)) return data;
  return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

const DTYPES: DType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];

t.test('every dtype round trips through run() exactly, with its numpy name and container', async (t) => {
  // one model with an Identity per dtype (x_<dtype> -> y_<dtype>): one session and one run() carry them all, instead
  // of a session (a worker start and a compile) per dtype
  const path = writeModel(model(graph({
    nodes: DTYPES.map((d) => node('Identity', [`x_${d}`], [`y_${d}`])),
    inputs: DTYPES.map((d) => tensorInfo(`x_${d}`, d, [2, 3])),
    outputs: DTYPES.map((d) => tensorInfo(`y_${d}`, d, [2, 3])),
  })), 'every-dtype-identity');
  const session = new Session(path, { copy_inputs: true });
  try {
    const inputs = Object.fromEntries(DTYPES.map((d) => [d, edgeValues(d)])) as Record<DType, TensorData>;
    const out = await session.run(Object.fromEntries(DTYPES.map((d) => [`x_${d}`, { data: inputs[d], shape: [2, 3] }])));
    for (const dtype of DTYPES) {
      const input = inputs[dtype];
      const y = out[`y_${dtype}`]!;
      t.equal(y.dtype, dtype, `${dtype}: dtype name`);
      t.same(y.shape, [2, 3], `${dtype}: shape`);
      t.equal(y.data.constructor, input.constructor, `${dtype}: container ${input.constructor.name}`);
      t.strictSame(bytesOf(y.data), bytesOf(input), `${dtype}: values bit-exact`);
    }
  } finally {
    await session.close();
  }
});

t.test('BAD CALL - a string with an embedded NUL is refused (onnxruntime-node would truncate it)', async (t) => {
  const session = new Session(identityModel('string'));
  try {
    await t.rejects(session.run({ x: { data: ['ok', 'a\u0000b', '', '', '', ''], shape: [2, 3] } }), {
      code: 'QAIC_INPUT_DTYPE',
      message: /input 'x'.*element 1.*NUL.*x: string \[2, 3\]/,
    });
    const out = await session.run({ x: { data: ['a', 'b', 'c', 'd', 'e', 'f'], shape: [2, 3] } });
    t.strictSame(out['y']!.data, ['a', 'b', 'c', 'd', 'e', 'f'], 'the session still works');
  } finally {
    await session.close();
  }
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { identityModel, twoInputModel } from '../fixtures/models.js';

// Every message must list the model's inputs so the caller sees what was expected.
const EXPECTED_LIST = /expects 3 input\(s\): a: float32 \[2, 2\]; b: float32 \[2, 2\]; c: int64 \['N'\]/;

function good(): Record<string, unknown> {
  return {
    a: new Float32Array([1, 2, 3, 4]),
    b: new Float32Array([1, 1, 1, 1]),
    c: { data: new BigInt64Array([1n]), shape: [1] },
  };
}

t.test('BAD CALL - every malformed input is a QaicError with its code, and the session keeps working', async (t) => {
  const session = new Session(twoInputModel());
  t.teardown(() => session.close());
  await session.setup();
  const detached = new Float32Array(4);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['unknown name', { ...good(), z: new Float32Array(4) }, 'QAIC_INPUT_UNKNOWN', /unknown input 'z'/],
    ['missing input', { a: good()['a'], c: good()['c'] }, 'QAIC_INPUT_MISSING', /missing input 'b' \(given: 'a', 'c'\)/],
    ['wrong dtype (container)', { ...good(), a: new Float64Array(4) }, 'QAIC_INPUT_DTYPE', /input 'a' has dtype float64 \(Float64Array\), expected float32/],
    ['wrong dtype (declared)', { ...good(), a: { data: new Float32Array(4), shape: [2, 2], dtype: 'int32' } }, 'QAIC_INPUT_DTYPE', /input 'a' has dtype int32, expected float32/],
    ['wrong rank', { ...good(), b: { data: new Float32Array(4), shape: [4] } }, 'QAIC_INPUT_SHAPE', /input 'b' has rank 1 \(shape \[4\]\), expected rank 2/],
    ['wrong size', { ...good(), c: { data: new BigInt64Array(3), shape: [2] } }, 'QAIC_INPUT_SHAPE', /input 'c' has 3 elements, but shape \[2\] needs 2/],
    ['dim disagrees with fixed dim', { ...good(), b: { data: new Float32Array(6), shape: [2, 3] } }, 'QAIC_INPUT_SHAPE', /input 'b' has dimension 1 = 3 \(shape \[2, 3\]\), expected 2/],
    ['bare array for a symbolic shape', { ...good(), c: new BigInt64Array(2) }, 'QAIC_INPUT_SHAPE', /input 'c' was given as a bare BigInt64Array, but its shape \['N'\] is not fully fixed/],
    ['detached buffer', { ...good(), a: detached }, 'QAIC_INPUT_SHAPE', /input 'a' is an empty or detached array/],
    ['not a tensor', { ...good(), a: 'nope' }, 'QAIC_INPUT_DTYPE', /input 'a' must be a typed array/],
    ['plain number array', { ...good(), a: { data: [1, 2, 3, 4], shape: [2, 2] } }, 'QAIC_INPUT_DTYPE', /input 'a' has data \[1,2,3,4\] \(array\), which is not a typed array, expected float32 \(Float32Array\)/],
  ];
  for (const [what, inputs, code, message] of cases) {
    const error = await session.run(inputs as never).then(() => undefined, (e: unknown) => e);
    t.ok(error instanceof QaicError, `${what}: a QaicError`);
    t.equal((error as QaicError).code, code, `${what}: code ${code}`);
    t.match((error as QaicError).message, message, `${what}: names what was given`);
    t.match((error as QaicError).message, EXPECTED_LIST, `${what}: lists the expected inputs`);
    const out = await session.run(good() as never);
    t.same([...(out['sum']!.data as Float32Array)], [2, 3, 4, 5], `${what}: the session still works`);
  }
});

t.test('BAD CALL - run() with something other than an object of inputs', async (t) => {
  const session = new Session(identityModel('float32'));
  t.teardown(() => session.close());
  await t.rejects(session.run(new Float32Array(6) as never), { code: 'QAIC_INPUT_MISSING', message: /takes an object of input name to tensor.*x: float32 \[2, 3\]/ });
  await t.rejects(session.run(null as never), { code: 'QAIC_INPUT_MISSING' });
});

import t from 'tap';
import { MAX_PAD_ELEMENTS, padToSpecialization, type AllowedShape } from '../../lib/specializations.js';
import type { Inputs } from '../../lib/tensor.js';

// Every hostile input to padToSpecialization is a QaicError with a stable code naming the input, what was expected
// and what was given: never a TypeError or RangeError from deep inside, never a silent wrong result.

const allowed: AllowedShape[] = [{ graph: 'seq8', inputs: { ids: [1, 8] } }];

function pad(inputs: unknown, value?: number, shapes: AllowedShape[] = allowed): unknown {
  return padToSpecialization(shapes, inputs as Inputs, value);
}

t.test('missing or unusable data', async (t) => {
  t.throws(() => pad({ ids: { shape: [1, 4] } }), { code: 'QAIC_INPUT_DTYPE', message: /input 'ids' has no values to pad: expected a typed array in 'data', got undefined/, details: { input: 'ids' } }, 'no data at all');
  t.throws(() => pad({ ids: { data: [1, 2, 3, 4], shape: [1, 4] } }), { code: 'QAIC_INPUT_DTYPE', message: /input 'ids'.*expected a typed array/ }, 'a plain array of numbers');
  t.throws(() => pad({ ids: { data: ['a', 'b', 'c', 'd'], shape: [1, 4] } }), { code: 'QAIC_INPUT_DTYPE', message: /input 'ids' holds strings/ }, 'strings');
  t.throws(() => pad({ ids: { data: new DataView(new ArrayBuffer(8)), shape: [1, 4] } }), { code: 'QAIC_INPUT_DTYPE' }, 'a DataView');
  t.throws(() => pad({ ids: { get data(): never { throw new Error('trap'); }, shape: [1, 4] } }), { code: 'QAIC_INVALID_ARGUMENT', message: /input 'ids' threw when read: trap/ }, 'a throwing getter');
  t.throws(() => pad(new Proxy({}, { ownKeys() { throw new Error('keys trap'); } })), { code: 'QAIC_INVALID_ARGUMENT', message: /inputs threw when read/ }, 'inputs that throw');
  t.throws(() => pad(7), { code: 'QAIC_INVALID_ARGUMENT', message: /'inputs' must be an object/ }, 'inputs that are no object');
  t.throws(() => padToSpecialization(null as never, { ids: { data: new Int32Array(4), shape: [1, 4] } }), { code: 'QAIC_INVALID_ARGUMENT', message: /'allowed' must be a list/ }, 'no allowed shapes');
});

t.test('data that disagrees with its shape', async (t) => {
  t.throws(() => pad({ ids: { data: new Int32Array(3), shape: [1, 4] } }), { code: 'QAIC_INPUT_SHAPE', message: /input 'ids' has 3 elements, but shape \[1, 4\] needs 4/, details: { input: 'ids', expected: 4, given: 3 } }, 'shorter than its shape');
  t.throws(() => pad({ ids: { data: new Int32Array(5), shape: [1, 4] } }), { code: 'QAIC_INPUT_SHAPE', message: /has 5 elements, but shape \[1, 4\] needs 4/ }, 'longer than its shape');
});

t.test('bad dimensions and huge shapes', async (t) => {
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [1n, 4n] } }), { code: 'QAIC_INPUT_SHAPE', message: /input 'ids' has dimension 0 = 1n \(bigint\); expected a non-negative integer number/, details: { input: 'ids', dim: 0 } }, 'BigInt dims');
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [1, 4.5] } }), { code: 'QAIC_INPUT_SHAPE', message: /dimension 1 = 4\.5/ }, 'a non-integer dim');
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [-1, -4] } }), { code: 'QAIC_INPUT_SHAPE', message: /dimension 0 = -1/ }, 'negative dims');
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [2 ** 40, 2 ** 40] } }), { code: 'QAIC_INPUT_SHAPE', message: /has 4 elements, but shape \[1099511627776, 1099511627776\] needs more than 2\^53/ }, 'a shape whose size overflows');
  const huge: AllowedShape[] = [{ graph: 'huge', inputs: { ids: [1, 2 ** 40] } }];
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [1, 4] } }, 0, huge), { code: 'QAIC_INPUT_SHAPE', message: new RegExp(`padding input 'ids' to graph 'huge' shape \\[1, 1099511627776\\] would allocate 1099511627776 elements; at most ${MAX_PAD_ELEMENTS}`) }, 'an allocation bomb is refused, not attempted');
  const fractional: AllowedShape[] = [{ graph: 'odd', inputs: { ids: [1, 8.5] } }];
  t.throws(() => pad({ ids: { data: new Int32Array(4), shape: [1, 4] } }, 0, fractional), { code: 'QAIC_INVALID_ARGUMENT', message: /allowed shape 'odd' gives input 'ids' the dimension 8\.5/ }, 'a non-integer allowed dim');
});

t.test('pad values the container cannot hold', async (t) => {
  const ids = (): unknown => ({ ids: { data: new BigInt64Array(4), shape: [1, 4] } });
  t.throws(() => pad(ids(), 0.5), { code: 'QAIC_INVALID_ARGUMENT', message: /value 0\.5 cannot be stored in input 'ids' \(BigInt64Array\); expected an integer/, details: { input: 'ids', argument: 'value' } }, 'a non-integer BigInt value');
  t.throws(() => pad(ids(), 2 ** 60), { code: 'QAIC_INVALID_ARGUMENT', message: /cannot be stored in input 'ids' \(BigInt64Array\)/ }, 'a value beyond safe integers');
  t.throws(() => pad({ ids: { data: new BigUint64Array(4), shape: [1, 4] } }, -1), { code: 'QAIC_INVALID_ARGUMENT', message: /\(BigUint64Array\); expected an integer from 0/ }, 'a negative unsigned BigInt value');
  t.throws(() => pad({ ids: { data: new Uint8Array(4), shape: [1, 4] } }, 300), { code: 'QAIC_INVALID_ARGUMENT', message: /from 0 to 255/ }, 'a value a byte cannot hold');
  const ok = padToSpecialization(allowed, { ids: { data: BigInt64Array.from([1n, 2n, 3n, 4n]), shape: [1, 4] } }, -1);
  t.same([...(ok.inputs.ids!.data as BigInt64Array)], [1n, 2n, 3n, 4n, -1n, -1n, -1n, -1n], 'an integer in range still pads');
});

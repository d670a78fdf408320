import t from 'tap';
import { join } from 'node:path';
import { padToSpecialization, type AllowedShape } from '../../lib/specializations.js';
import { Session } from '../../lib/session.js';
import { fromFloat16Bits, toFloat16Bits } from '../../lib/compiler/fp16/half.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import type { GraphToStore } from '../../lib/program/types.js';
import { tempDir } from '../program/helpers.js';
import { programOf } from './helpers.js';

// A Uint16Array holds uint16 values or float16 bits alike: the pad value is written as float16 bits only when the
// input's dtype says float16 (declared by the input, given in options.dtypes, or the model's through the session).

const allowed: AllowedShape[] = [{ graph: '1x4', inputs: { x: [1, 4] } }];
const given = (): Uint16Array => Uint16Array.from([toFloat16Bits(0.5), toFloat16Bits(-3)]);
const tail = (data: unknown): number[] => Array.from((data as Uint16Array).subarray(2));

t.test('a float16 input is padded with the float16 bits of the value', async (t) => {
  const declared = padToSpecialization(allowed, { x: { data: given(), shape: [1, 2], dtype: 'float16' } }, 1.5);
  t.same(tail(declared.inputs.x!.data), [toFloat16Bits(1.5), toFloat16Bits(1.5)], 'declared by the input');
  t.same(Array.from(declared.inputs.x!.data as Uint16Array).map(fromFloat16Bits), [0.5, -3, 1.5, 1.5]);
  t.equal(declared.inputs.x!.dtype, 'float16', 'the dtype goes along for run()');
  const hinted = padToSpecialization(allowed, { x: { data: given(), shape: [1, 2] } }, -2, { dtypes: { x: 'float16' } });
  t.same(tail(hinted.inputs.x!.data).map(fromFloat16Bits), [-2, -2], 'given in options.dtypes (negative values too)');
  const tensorLike = padToSpecialization(allowed, { x: { data: given(), dims: [1, 2], type: 'float16' } as never }, 1);
  t.same(tail(tensorLike.inputs.x!.data), [0x3c00, 0x3c00], "an onnxruntime Tensor's type");
});

t.test('a uint16 input is padded with the value itself', async (t) => {
  const plain = padToSpecialization(allowed, { x: { data: Uint16Array.from([7, 8]), shape: [1, 2] } }, 3);
  t.same(tail(plain.inputs.x!.data), [3, 3], 'no dtype said: the container reads uint16');
  t.equal(plain.inputs.x!.dtype, undefined);
  const declared = padToSpecialization(allowed, { x: { data: Uint16Array.from([7, 8]), shape: [1, 2] } }, 3, { dtypes: { x: 'uint16' } });
  t.same(tail(declared.inputs.x!.data), [3, 3]);
  t.throws(() => padToSpecialization(allowed, { x: { data: Uint16Array.from([7, 8]), shape: [1, 2], dtype: 'uint16' } }, 1.5), { code: 'QAIC_INVALID_ARGUMENT' }, 'no fractions in uint16');
});

t.test('dtype hints that cannot hold are typed errors naming the input', async (t) => {
  const x = (): { data: Uint16Array; shape: number[] } => ({ data: given(), shape: [1, 2] });
  t.throws(() => padToSpecialization(allowed, { x: x() }, 70000, { dtypes: { x: 'float16' } }), { code: 'QAIC_INVALID_ARGUMENT', message: /float16 input 'x'.*65504/ }, 'beyond float16');
  t.throws(() => padToSpecialization(allowed, { x: { data: new Float32Array(2), shape: [1, 2], dtype: 'float16' } }), { code: 'QAIC_INPUT_DTYPE', message: /Float32Array, which cannot hold its dtype 'float16'/ });
  t.throws(() => padToSpecialization(allowed, { x: { ...x(), dtype: 'float16' } }, 0, { dtypes: { x: 'uint16' } }), { code: 'QAIC_INPUT_DTYPE', message: /declares dtype 'float16' but options.dtypes gives 'uint16'/ });
  t.throws(() => padToSpecialization(allowed, { x: x() }, 0, { dtypes: { x: 'half' as never } }), { code: 'QAIC_INPUT_DTYPE', message: /options.dtypes\['x'\] is 'half'.*expected one of .*float16/ });
  t.throws(() => padToSpecialization(allowed, { x: x() }, 0, { dtypes: 'float16' as never }), { code: 'QAIC_INVALID_ARGUMENT', message: /options.dtypes/ });
  t.throws(() => padToSpecialization(allowed, { x: x() }, 0, null as never), { code: 'QAIC_INVALID_ARGUMENT', message: /'options'/ });
  t.throws(() => padToSpecialization(allowed, { x: { data: Uint8Array.from([1]), shape: [1, 1], dtype: 'bool' } }, 2), { code: 'QAIC_INVALID_ARGUMENT', message: /bool input 'x'; expected 0 or 1/ });
});

/** y = Identity(x), x float16 of `shape`, as graph `name`. */
function halfGraph(name: string, shape: number[]): GraphToStore {
  const m = model(graph({ nodes: [node('Identity', ['x'], ['y'])], inputs: [tensorInfo('x', 'float16', shape)], outputs: [tensorInfo('y', 'float16', shape)] }));
  const io = modelIO(m);
  return { name, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] };
}

t.test("session.padToSpecialization pads a float16 model's input with float16 bits, and it runs", async (t) => {
  const dir = await programOf(join(tempDir(t), 'p'), [halfGraph('short', [1, 2]), halfGraph('long', [1, 4])]);
  const session = new Session(dir);
  t.teardown(() => session.close());
  const padded = session.padToSpecialization({ x: { data: Uint16Array.from([toFloat16Bits(0.25)]), shape: [1, 1] } }, 1);
  t.equal(padded.graph, 'short');
  t.same(Array.from(padded.inputs.x!.data as Uint16Array).map(fromFloat16Bits), [0.25, 1], 'the model says float16: no hint needed');
  const longer = session.padToSpecialization({ x: { data: Uint16Array.from([toFloat16Bits(0.25), toFloat16Bits(2), toFloat16Bits(-1)]), shape: [1, 3] } }, -0.5);
  t.equal(longer.graph, 'long');
  const out = await session.run(longer.inputs);
  t.equal(out.y!.dtype, 'float16');
  t.same(Array.from(out.y!.data as Uint16Array).map(fromFloat16Bits), [0.25, 2, -1, -0.5], 'the model reads the pad as float16 -0.5');
});

import t from 'tap';
import { randomInputs } from '../../lib/metrics/random-inputs.js';
import { DTYPES, containerFits } from '../../lib/dtypes.js';

t.test('random inputs exist for every dtype, with the right container and size', async (t) => {
  const shapes = Object.fromEntries(DTYPES.map((d) => [`in_${d}`, [[2, 3], d] as [number[], string]]));
  const inputs = randomInputs(shapes);
  for (const d of DTYPES) {
    const x = inputs[`in_${d}`]!;
    t.ok(containerFits(d, x.data), `${d} container`);
    t.equal(x.data.length, 6, `${d} length`);
    t.same(x.shape, [2, 3]);
  }
  const f16 = inputs.in_float16!.data as Uint16Array;
  t.ok([...f16].every((b) => b < 0x3c00), 'float16 bits are in [0, 1)');
});

t.test('BAD CALL - a symbolic dimension is named in the error', async (t) => {
  t.throws(() => randomInputs({ x: [['N', 3], 'float32'] }), { code: 'QAIC_INVALID_ARGUMENT', message: /input 'x'.*"N".*onnx_define_symbol/ });
});

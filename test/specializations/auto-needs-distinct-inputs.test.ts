import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import type { DType } from '../../lib/dtypes.js';
import { tempDir } from '../program/helpers.js';
import { addGraph, programOf as program } from './helpers.js';

// 'auto' sends a run to the graph its inputs fit; that is only a choice when no two graphs take the same inputs.

async function rejection(promise: Promise<unknown>): Promise<QaicError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as QaicError);
}

t.test("graphs taking the same shapes and dtypes: neither the default nor 'auto' picks; naming a graph works", async (t) => {
  const dir = await program(join(tempDir(t), 'same'), [addGraph('one', 'float32', 1), addGraph('ten', 'float32', 10)]);
  for (const options of [{}, { graph: 'auto' }]) {
    const session = new Session(dir, options);
    t.teardown(() => session.close());
    const refused = await rejection(session.setup());
    t.equal(refused.code, 'QAIC_INVALID_OPTION', `${JSON.stringify(options)}: ${refused.message}`);
    t.match(refused.message, /option 'graph'/, 'names the option');
    t.match(refused.message, /graphs 'one' \(x: float32 \[1, 4\]\) and 'ten' \(x: float32 \[1, 4\]\)/, 'names the candidates and their shapes');
    t.match(refused.message, /pass graph: one of 'one', 'ten'/);
    t.same(refused.details.candidates, ['one', 'ten']);
    t.throws(() => session.allowedShapes, { code: 'QAIC_INVALID_OPTION' }, 'allowedShapes says the same before activation');
  }
  const named = new Session(dir, { graph: 'ten' });
  t.teardown(() => named.close());
  const out = await named.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
  t.same(Array.from(out.y!.data as Float32Array), [10, 10, 10, 10], 'the named graph runs');
});

t.test("graphs that differ only in dtype: 'auto' (the default) picks by the inputs' dtype", async (t) => {
  const dir = await program(join(tempDir(t), 'dtypes'), [addGraph('f32', 'float32', 1), addGraph('f64', 'float64', 10)]);
  const session = new Session(dir);
  t.teardown(() => session.close());
  t.same(session.allowedShapes.map((a) => a.graph), ['f32', 'f64'], 'both graphs are served');
  const wide = await session.run({ x: { data: new Float64Array(4), shape: [1, 4] } });
  t.equal(wide.y!.dtype as DType, 'float64', 'a Float64Array goes to the float64 graph');
  t.same(Array.from(wide.y!.data as Float64Array), [10, 10, 10, 10]);
  const narrow = await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
  t.equal(narrow.y!.dtype as DType, 'float32', 'a Float32Array goes to the float32 graph');
  t.same(Array.from(narrow.y!.data as Float32Array), [1, 1, 1, 1]);
  const bare = await session.run({ x: new Float64Array(4) });
  t.equal(bare.y!.dtype as DType, 'float64', 'a bare array: its container says the dtype');
  const none = await rejection(session.run({ x: { data: new Int32Array(4), shape: [1, 4] } }));
  t.equal(none.code, 'QAIC_INPUT_SHAPE', 'a dtype no graph takes');
  t.match(none.message, /dtypes x: int32/, `names the dtype passed: ${none.message}`);
  t.match(none.message, /The shapes fit graph\(s\) 'f32' \(x: float32 \[1, 4\]\), 'f64' \(x: float64 \[1, 4\]\), but the passed dtypes \(x: int32\) do not/);
  const declared = await rejection(session.run({ x: { data: new Float64Array(4), shape: [1, 4], dtype: 'float32' } }));
  t.equal(declared.code, 'QAIC_INPUT_DTYPE', 'a declared dtype picks the graph; its container is then checked against it');
  const after = await session.run({ x: { data: new Float64Array(4), shape: [1, 4] } });
  t.equal(after.y!.dtype as DType, 'float64', 'the session still serves');
});

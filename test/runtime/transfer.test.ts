/**
 * run() takes the caller's input buffers over (detaches them, no copy) on both engines, unless copy_inputs; what
 * cannot be detached without taking more than the caller handed over, or at all, is copied instead.
 */
import t from 'tap';
import { Session } from '../../lib/session.js';
import { identityModel, twoInputModel } from '../fixtures/models.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

const ENGINES = [['native', NATIVE_SKIP], ['worker', false]] as const;

for (const [engine, skip] of ENGINES) {
  t.test(`inputs are transferred (detached) by default on the ${engine} engine`, { skip }, async (t) => {
    const session = new Session(identityModel('float32'), { engine });
    t.teardown(() => session.close());
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    const out = await session.run({ x });
    t.equal(session.engine, engine);
    t.equal(x.length, 0, 'the caller\'s array is detached');
    t.equal(x.buffer.byteLength, 0);
    t.same([...(out['y']!.data as Float32Array)], [1, 2, 3, 4, 5, 6]);
    await t.rejects(session.run({ x }), { code: 'QAIC_INPUT_SHAPE', message: /detached.*copy_inputs/ }, 'reusing it is a clear error');
  });

  t.test(`one array given for two inputs is transferred once and copied once on the ${engine} engine`, { skip }, async (t) => {
    const session = new Session(twoInputModel(), { engine });
    t.teardown(() => session.close());
    const shared = new Float32Array([1, 2, 3, 4]);
    const out = await session.run({ a: shared, b: shared, c: { data: new BigInt64Array([1n]), shape: [1] } });
    t.same([...(out['sum']!.data as Float32Array)], [2, 4, 6, 8], 'both inputs saw the values');
    t.equal(shared.length, 0, 'the array was transferred (once)');
  });

  t.test(`a buffer that cannot be detached (a WebAssembly memory's) is copied on the ${engine} engine`, { skip }, async (t) => {
    const session = new Session(identityModel('uint8', [65536]), { engine });
    t.teardown(() => session.close());
    // WebAssembly is not in this project's TypeScript lib (no DOM): the one constructor used, typed here
    const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
    const memory = new Memory({ initial: 1 });
    const x = new Uint8Array(memory.buffer);
    x.set([1, 2, 3, 4, 5, 6]);
    const out = await session.run({ x });
    t.equal(x.length, 65536, 'the memory is still attached');
    t.same([...(out['y']!.data as Uint8Array).subarray(0, 6)], [1, 2, 3, 4, 5, 6]);
  });
}

t.test('copy_inputs keeps the caller\'s arrays', async (t) => {
  const session = new Session(identityModel('float32'), { copy_inputs: true });
  t.teardown(() => session.close());
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  await session.run({ x });
  t.equal(x.length, 6);
  x[0] = 7;
  const out = await session.run({ x });
  t.equal((out['y']!.data as Float32Array)[0], 7, 'and they can be reused');
});

t.test('views that are not a whole ArrayBuffer are copied, never detached: Buffer-pool slices, subarrays, SharedArrayBuffer', async (t) => {
  const session = new Session(identityModel('uint8'));
  t.teardown(() => session.close());
  // a small Buffer lives in Node's shared 8 KiB pool: transferring it would detach every other pooled Buffer
  const neighbour = Buffer.from('neighbour');
  const pooled = Buffer.from([1, 2, 3, 4, 5, 6]);
  t.ok(pooled.byteOffset > 0 || pooled.buffer.byteLength > pooled.length, 'the input is a pool slice');
  const out = await session.run({ x: pooled });
  t.same([...(out['y']!.data as Uint8Array)], [1, 2, 3, 4, 5, 6], 'a Buffer is accepted as uint8');
  t.equal(pooled.length, 6, 'the Buffer is intact');
  t.equal(neighbour.toString(), 'neighbour', 'the pool is intact');
  t.equal(Buffer.from('after').toString(), 'after', 'the pool still allocates');

  const big = new Uint8Array(100).map((_, i) => i);
  const view = big.subarray(10, 16);
  const out2 = await session.run({ x: view });
  t.same([...(out2['y']!.data as Uint8Array)], [10, 11, 12, 13, 14, 15]);
  t.equal(big.length, 100, 'the parent buffer is not detached');

  const shared = new Uint8Array(new SharedArrayBuffer(6));
  shared.set([9, 8, 7, 6, 5, 4]);
  const out3 = await session.run({ x: shared });
  t.same([...(out3['y']!.data as Uint8Array)], [9, 8, 7, 6, 5, 4]);
  t.equal(shared.length, 6, 'a SharedArrayBuffer view is copied');
});

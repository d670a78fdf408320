/**
 * Outputs as copies (start()'s copyOutputs): the path a V8 sandbox that refuses external buffers (Electron) takes,
 * which Node never does by itself. The copies carry every dtype exactly, hold no onnxruntime memory even while they
 * are kept (external buffers hold one value each until collected), and many runs do not grow the process. In a child
 * process: it drives the garbage collector and measures its own RSS.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { BUFFER_LIFETIME_PRELUDE, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('copied outputs are exact, hold no onnxruntime memory, and do not grow the process', { skip }, async (t) => {
  const result = finished(t, await isolated(`${BUFFER_LIFETIME_PRELUDE}
    const addon = engineAddon();
    const bytes = (v) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

    // every numeric container, and an empty tensor (nothing to copy)
    const cases = [
      ['float32', [2, 3], Float32Array.of(0, -0, Infinity, -1.5, 3.25, NaN)],
      ['float16', [2, 3], Uint16Array.of(0x7c00, 0xfc00, 1, 0x8000, 0x7e01, 0x3c00)],
      ['int64', [2, 3], BigInt64Array.of(2n ** 63n - 1n, -(2n ** 63n), 0n, -1n, 2n ** 53n + 1n, 5n)],
      ['uint64', [2, 3], BigUint64Array.of(2n ** 64n - 1n, 0n, 2n ** 63n, 1n, 2n, 3n)],
      ['bool', [2, 3], Uint8Array.of(1, 0, 1, 1, 0, 0)],
      ['int8', [2, 3], Int8Array.of(-128, 127, 0, -1, 1, 42)],
      ['float32', [0, 3], new Float32Array(0)],
    ];
    const exact = [];
    for (const [dtype, dims, data] of cases) {
      const activation = new TestActivation(addon, identityModel(dtype, dims), ['x'], {}, undefined, true);
      const out = await activation.run([{ type: dtype, dims, data }]);
      await activation.close();
      const y = out.outputs?.y;
      exact.push({ dtype, dims, ok: y !== undefined && y.type === dtype && y.data.constructor === data.constructor &&
        JSON.stringify(y.dims) === JSON.stringify(dims) && JSON.stringify(bytes(y.data)) === JSON.stringify(bytes(data)) });
    }

    // many runs of 1 MiB outputs, dropped as they come: RSS from after a warm-up to the end (no output so far was
    // external, so no onnxruntime value may be held at all)
    const big = new TestActivation(addon, addOneModel(), ['x'], { intraOpNumThreads: 1 }, undefined, true);
    const x = new Float32Array(256 * 1024).fill(1);
    const rssMiB = () => { gc(); return process.memoryUsage().rss / 2 ** 20; };
    let right = 0;
    const round = async (n) => {
      for (let i = 0; i < n; i++) {
        const out = await big.run([{ type: 'float32', dims: [64 * 1024, 4], data: x }]);
        if (out.outputs?.y.data[i % x.length] === 2) right++;
        big.events.length = 0;  // the fixture keeps every event it saw: drop them, as a caller drops its outputs
        if (i % 250 === 0) gc();
      }
    };
    await round(250);
    const warm = rssMiB();
    await round(2000);
    const end = rssMiB();
    const heldAtEnd = addon.heldOutputValues();
    await big.close();

    // kept outputs: copies hold no onnxruntime value; external buffers (the default from 4 KiB) hold one each until
    // collected; an output under 4 KiB is copied by default too (measured before 'external', whose kept buffers may be
    // collected while a later case runs)
    const held = {};
    for (const [label, copy, n] of [['copies', true, 1024], ['small', false, 256], ['external', false, 1024]]) {
      const before = addon.heldOutputValues();
      const activation = new TestActivation(addon, addOneModel(), ['x'], { intraOpNumThreads: 1 }, undefined, copy);
      const kept = [];
      for (let i = 0; i < 50; i++) kept.push((await activation.run([{ type: 'float32', dims: [n / 4, 4], data: new Float32Array(n).fill(i) }])).outputs.y.data);
      await activation.close();
      held[label] = { held: addon.heldOutputValues() - before, valid: kept.every((d, i) => d.length === n && d.every((v) => v === i + 1)) };
    }
    report({ exact, held, growthMiB: end - warm, right, heldAtEnd });
  `, { timeoutMs: 120_000 }));
  for (const c of result.exact) t.ok(c.ok, `${c.dtype} [${c.dims.join(', ')}]: copied exactly, in its container`);
  t.same(result.held.copies, { held: 0, valid: true }, 'copies stay valid and hold no onnxruntime value');
  t.same(result.held.external, { held: 50, valid: true }, 'external buffers (the default for 4 KiB outputs) hold one value each while kept');
  t.same(result.held.small, { held: 0, valid: true }, 'outputs under 4 KiB are copied by default: they hold no value either');
  t.equal(result.right, 2250, 'every 1 MiB run computed x + 1');
  t.equal(result.heldAtEnd, 0, 'no onnxruntime value is held after 2,250 copied runs');
  // a leaked output would be 1 MiB a run: 2,000 MiB here
  t.ok(result.growthMiB < 128, `RSS grew ${result.growthMiB.toFixed(1)} MiB over 2,000 runs of 1 MiB outputs (a leak of each: 2,000 MiB)`);
});

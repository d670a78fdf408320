/**
 * The shared CPU arena (native/src/engine/shared_arena.h): every loaded graph session holds a lease on one arena
 * registered on onnxruntime's env; the last session released unregisters it, outputs allocated from it outlive that,
 * and the next session registers a fresh one. A graph whose options turn the CPU arena off keeps its own. In a child
 * process: the lease count is process-wide, and a use-after-free here would crash.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { BUFFER_LIFETIME_PRELUDE, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('graph sessions share one arena while any lives; it is re-registered after the last went', { skip }, async (t) => {
  const result = finished(t, await isolated(`${BUFFER_LIFETIME_PRELUDE}
    const addon = engineAddon();
    const leases = [];
    const note = (label) => leases.push([label, addon.sharedArenaLeases()]);
    const model = addOneModel();
    // 4 KiB: outputs under 4 KiB are copied, and the kept ones must be external buffers over the arena
    const feeds = (v) => [{ type: 'float32', dims: [256, 4], data: new Float32Array(1024).fill(v) }];
    const allEqual = (data, v) => data.length === 1024 && data.every((x) => x === v);
    note('before any activation');

    // a: two graphs (the second loads on first use); b: one graph
    const a = new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1 });
    a.native.setGraph(1, model, ['x'], { intraOpNumThreads: 1 });
    await a.started();
    note('a ready');
    await a.run(feeds(0), { graph: 1 });
    note('a graph 1 loaded');
    const b = new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1 });
    await b.started();
    note('b ready');

    // distinct inputs in flight on both activations and both graphs at once
    const runs = [];
    for (let i = 0; i < 60; i++) runs.push([i, i % 3 === 2 ? b.run(feeds(i)) : a.run(feeds(i), { graph: i % 3 })]);
    let right = 0;
    const keptFromA = [];
    for (const [i, run] of runs) {
      const out = await run;
      if (out.type === 'result' && allEqual(out.outputs.y.data, i + 1)) right++;
      if (i % 3 !== 2) keptFromA.push([i, out.outputs.y.data]);
    }

    await a.close();
    note('a closed');
    const bAfter = await b.run(feeds(100));
    await b.close();
    note('b closed');
    a.events.length = 0;
    b.events.length = 0;
    const keptValid = keptFromA.every(([i, data]) => allEqual(data, i + 1));
    keptFromA.length = 0;
    gc();
    await new Promise((r) => setTimeout(r, 20));
    gc();

    const c = new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1 });
    const cOut = await c.run(feeds(7));
    note('c ran');
    const own = new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1, enableCpuMemArena: false });
    const ownOut = await own.run(feeds(9));
    note('arena off ran');
    await c.close();
    await own.close();
    note('all closed');
    report({
      leases, right, keptValid,
      bAfter: allEqual(bAfter.outputs.y.data, 101),
      cOut: allEqual(cOut.outputs.y.data, 8),
      ownOut: allEqual(ownOut.outputs.y.data, 10),
    });
  `, { timeoutMs: 90_000 }));
  t.same(result.leases, [
    ['before any activation', 0],
    ['a ready', 1],
    ['a graph 1 loaded', 2],
    ['b ready', 3],
    ['a closed', 1],
    ['b closed', 0],
    ['c ran', 1],
    ['arena off ran', 1],
    ['all closed', 0],
  ], 'one lease per loaded graph session; none left once every activation closed');
  t.equal(result.right, 60, 'every concurrent run on the shared arena got its own input plus one');
  t.equal(result.bAfter, true, 'the other activation runs on after one closed');
  t.equal(result.keptValid, true, 'outputs allocated from the arena stay valid after it was unregistered');
  t.equal(result.cOut, true, 'a new activation after the last one closed registers the arena again and runs');
  t.equal(result.ownOut, true, 'a graph with the CPU arena turned off runs on its own allocator, holding no lease');
});

/**
 * isolation: 'process' and an output too big for the V8 heap (issue 12): 2e7 strings under --max-old-space-size=256
 * make onnxruntime-node abort ("terminate called after throwing an instance of 'Napi::Error'"). In a child process
 * that is QAIC_ACTIVATION_CRASHED naming SIGABRT; the host survives and the session serves the next run. The child
 * inherits the heap limit, as a worker thread would. Run in a child process with a time limit.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

t.test('a string output that overflows a 256 MiB heap crashes only the child', async (t) => {
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { bigStringModel } = await fixtures('fault-models.js');
    const session = new Session(bigStringModel(), { isolation: 'process', compile: false });
    const big = await attempt(() => session.run({ shape: BigInt64Array.of(20_000_000n) }));
    const next = await attempt(async () => (await session.run({ shape: BigInt64Array.of(3n) })).y.data);
    await session.close();
    report({ big, next });
  `, { heapMb: 256, timeoutMs: 180_000 }));
  t.equal(result.big.code, 'QAIC_ACTIVATION_CRASHED', 'the run is rejected with QAIC_ACTIVATION_CRASHED');
  t.match(result.big.message, /SIGABRT/, 'naming the signal');
  t.same(result.next, { ok: true, value: ['sixteen-chars-xx', 'sixteen-chars-xx', 'sixteen-chars-xx'] }, 'the next run is answered');
});

/**
 * Cancellation on the native engine (issue 13), on a model that never finishes (a Loop of 2^62 trips): an AbortSignal
 * and run_timeout terminate the run inside onnxruntime, so the same activation (not a replacement) is freed and
 * serves the next run; close() during an endless run settles, and the process exits by itself. Each case runs in a
 * child process with a time limit, so a hang fails the test instead of the suite.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

const skip = NATIVE_SKIP;

const PRELUDE = `
  const { Session } = await lib('session.js');
  const { loopModel, loopInputs, ENDLESS_TRIPS } = await fixtures('fault-models.js');
  const value = async (session) => (await session.run(loopInputs(3n))).y.data[0];
  const inFlight = async (pool) => { while (pool.inFlight === 0) await new Promise((r) => setImmediate(r)); };
  const idle = async (pool) => { while (pool.inFlight !== 0) await new Promise((r) => setTimeout(r, 1)); };
`;

t.test('an AbortSignal ends the endless run; the same activation serves the next run', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { engine: 'native', compile: false, set_size: 1 });
    await session.setup();
    const pool = session._pool;
    const before = pool.activations[0];
    const controller = new AbortController();
    const pending = attempt(() => session.run(loopInputs(ENDLESS_TRIPS), { signal: controller.signal }));
    await inFlight(pool);
    controller.abort();
    const aborted = await pending;
    await idle(pool);
    const next = await attempt(() => value(session));
    const same = pool.activations[0] === before && before.state === 'ready';
    const engine = session.engine;
    await session.close();
    report({ aborted, next, same, engine });
  `, { timeoutMs: 60_000 }));
  t.equal(result.engine, 'native');
  t.equal(result.aborted.code, 'QAIC_ABORTED', 'the aborted run is rejected with QAIC_ABORTED');
  t.same(result.next, { ok: true, value: 4 }, 'the next run is answered (1 + 3)');
  t.equal(result.same, true, 'by the same activation: it was freed, not replaced');
});

t.test('run_timeout ends the endless run with QAIC_TIMEOUT; the same activation serves the next run', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { engine: 'native', compile: false, run_timeout: 300, set_size: 1 });
    await session.setup();
    const pool = session._pool;
    const before = pool.activations[0];
    const timedOut = await attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    await idle(pool);
    const next = await attempt(() => value(session));
    const same = pool.activations[0] === before && before.state === 'ready';
    await session.close();
    report({ timedOut, next, same });
  `, { timeoutMs: 60_000 }));
  t.equal(result.timedOut.code, 'QAIC_TIMEOUT', 'rejected with QAIC_TIMEOUT');
  t.match(result.timedOut.message, /run_timeout \(300 ms\)/, 'naming the option and its value');
  t.same(result.next, { ok: true, value: 4 }, 'the next run is answered');
  t.equal(result.same, true, 'by the same activation');
});

t.test('reset() and close() with an endless run in flight settle, and the process exits', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { engine: 'native', compile: false });
    await session.setup();
    const first = attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    await inFlight(session._pool);
    await session.reset();
    const afterReset = await first;
    const next = await attempt(() => value(session));
    const second = attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    await inFlight(session._pool);
    await session.close();
    const afterClose = await second;
    report({ afterReset, next, afterClose });
    // nothing is awaited from here: the native thread must not keep this process alive
  `, { timeoutMs: 60_000 }));
  t.equal(result.afterReset.code, 'QAIC_ABORTED', 'reset() rejects the endless run with QAIC_ABORTED');
  t.same(result.next, { ok: true, value: 4 }, 'the session serves the next run after reset()');
  t.equal(result.afterClose.ok, false, 'close() rejects the endless run');
  t.equal(result.afterClose.typed, true, 'with a QaicError');
});

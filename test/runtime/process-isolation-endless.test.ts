/**
 * isolation: 'process' and an inference that never finishes (a Loop of 2^62 trips, issue 12): run_timeout, an
 * AbortSignal, reset() and close() each end it by killing its child process; the session serves the next run (a
 * short loop on the same model) and the process exits by itself afterwards. Each case runs in a child process with
 * a time limit, so a hang fails the test instead of the suite.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

const PRELUDE = `
  const { Session } = await lib('session.js');
  const { loopModel, loopInputs, ENDLESS_TRIPS } = await fixtures('fault-models.js');
  const value = async (session) => (await session.run(loopInputs(3n))).y.data[0];
`;

t.test('run_timeout rejects with QAIC_TIMEOUT, kills the child, and the session serves the next run', async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { isolation: 'process', compile: false, run_timeout: 500 });
    await session.setup();
    const timedOut = await attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    // run_timeout counts time queued too, the replacement's load included: wait for it before timing the next run
    await session._pool.whenReady();
    const next = await attempt(() => value(session));
    await session.close();
    report({ timedOut, next });
  `, { timeoutMs: 90_000 }));
  t.equal(result.timedOut.code, 'QAIC_TIMEOUT', 'the endless run is rejected with QAIC_TIMEOUT');
  t.match(result.timedOut.message, /run_timeout \(500 ms\)/, 'naming the option and its value');
  t.same(result.next, { ok: true, value: 4 }, 'the replaced activation computes 1 + 3');
});

t.test('aborting an in-flight endless run kills its child; the session serves the next run', async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { isolation: 'process', compile: false });
    await session.setup();
    const controller = new AbortController();
    const pending = attempt(() => session.run(loopInputs(ENDLESS_TRIPS), { signal: controller.signal }));
    // in flight once the activation holds it
    const pool = session._pool;
    while (pool.inFlight === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    const aborted = await pending;
    const next = await attempt(() => value(session));
    await session.close();
    report({ aborted, next });
  `, { timeoutMs: 90_000 }));
  t.equal(result.aborted.code, 'QAIC_ABORTED', 'the aborted run is rejected with QAIC_ABORTED');
  t.same(result.next, { ok: true, value: 4 }, 'the next run is answered');
});

t.test('reset() and close() with an endless run in flight settle, and the process exits', async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const session = new Session(loopModel(), { isolation: 'process', compile: false });
    await session.setup();
    const pool = () => session._pool;
    const first = attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    while (pool().inFlight === 0) await new Promise((r) => setImmediate(r));
    await session.reset();
    const afterReset = await first;
    const next = await attempt(() => value(session));
    const second = attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    while (pool().inFlight === 0) await new Promise((r) => setImmediate(r));
    await session.close();
    const afterClose = await second;
    report({ afterReset, next, afterClose });
    // nothing is awaited from here: the child must not keep this process alive
  `, { timeoutMs: 90_000 }));
  t.equal(result.afterReset.code, 'QAIC_ABORTED', 'reset() rejects the endless run with QAIC_ABORTED');
  t.same(result.next, { ok: true, value: 4 }, 'the session serves the next run after reset()');
  t.equal(result.afterClose.ok, false, 'close() rejects the endless run');
  t.equal(result.afterClose.typed, true, 'with a QaicError');
});

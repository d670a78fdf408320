/**
 * Thread activations and an inference that never finishes (issue 12): what threads can promise. A worker thread
 * cannot be stopped inside onnxruntime, but run_timeout and an AbortSignal still settle the caller's runs, close()
 * settles after a bounded wait (CLOSE_WAIT_MS), and the process still ends: Node would join the stuck thread
 * forever at exit, so it ends with SIGKILL after saying why on stderr (see stuck-threads.ts). Run in a child process
 * with a time limit, so a hang fails the test instead of the suite. The worker engine's case: the native engine ends
 * such a run instead (native-cancel.test.ts).
 */
import t from 'tap';
import { isolated } from '../fixtures/isolated.js';

t.test('an endless inference in a worker thread: runs settle, close() settles, the process ends', async (t) => {
  const outcome = await isolated(`
    const { Session } = await lib('session.js');
    const { loopModel, loopInputs, ENDLESS_TRIPS } = await fixtures('fault-models.js');
      const session = new Session(loopModel(), { engine: 'worker', compile: false, run_timeout: 500 });
    await session.setup();
    const timedOut = await attempt(() => session.run(loopInputs(ENDLESS_TRIPS)));
    const controller = new AbortController();
    const pending = attempt(() => session.run(loopInputs(ENDLESS_TRIPS), { signal: controller.signal }));
    while (session._pool.inFlight < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    const aborted = await pending;
    const closed = await attempt(() => session.close());
    report({ timedOut, aborted, closed });
    // nothing left to do: the process must end by itself
  `, { timeoutMs: 90_000 });
  t.equal(outcome.timedOut, false, 'the process ended by itself, within the time limit');
  t.equal(outcome.result?.timedOut?.code, 'QAIC_TIMEOUT', 'run_timeout rejects the endless run');
  t.equal(outcome.result?.aborted?.code, 'QAIC_ABORTED', 'an AbortSignal rejects an in-flight run at once');
  t.same(outcome.result?.closed, { ok: true }, 'close() settles although the thread is stuck');
  t.equal(outcome.signal, 'SIGKILL', 'the process ends by SIGKILL (Node would wait for the thread forever)');
  t.match(outcome.stderr, /1 activation thread\(s\) are still inside onnxruntime.*SIGKILL instead of exit code 0/, 'after saying why');
});

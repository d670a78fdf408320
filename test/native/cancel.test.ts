/**
 * Cancellation on a never-ending inference (a Loop of 2^62 trips): cancel() drops a queued request and terminates the
 * one in flight (RunOptionsSetTerminate), both answered canceled; the activation then serves the next run. Each case
 * runs in a child process with a time limit, so a run that is not ended fails the test instead of hanging the suite.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';
import { nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

const PRELUDE = `
  const { TestActivation, engineAddon } = await fixtures('native-engine.js');
  const { loopModel, loopFeeds: feeds, ENDLESS_TRIPS } = await fixtures('fault-models.js');
  const activation = new TestActivation(engineAddon(), loopModel(), ['trips', 'x'], { intraOpNumThreads: 1 });
  const started = await activation.started();
  const summary = (e) => ({ type: e.type, canceled: e.canceled, message: e.message, value: e.type === 'result' ? e.outputs.y.data[0] : undefined });
  // the activation thread has taken a request once it is no longer queued: a second cancel target queued behind it
  // stays queued, so wait until a short probe queued behind the endless run is what is left
  const inFlight = () => new Promise((r) => setTimeout(r, 50));
`;

t.test('cancel() drops a queued run and terminates an in-flight never-ending run; the next run is served', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    let endlessId, queuedId;
    const endless = activation.run(feeds(ENDLESS_TRIPS), { onId: (id) => { endlessId = id; } });
    const queued = activation.run(feeds(3n), { onId: (id) => { queuedId = id; } });
    const droppedQueued = activation.native.cancel(queuedId);
    const queuedOutcome = summary(await queued);
    // cancel the endless one whether or not the thread has picked it up yet: both paths answer canceled
    await inFlight();
    const droppedEndless = activation.native.cancel(endlessId);
    const endlessOutcome = summary(await endless);
    const unknown = activation.native.cancel(12345);
    const next = summary(await activation.run(feeds(3n)));
    const exit = await activation.close();
    report({ started: started.type, droppedQueued, queuedOutcome, droppedEndless, endlessOutcome, unknown, next, exit });
  `, { timeoutMs: 60_000 }));
  t.equal(result.started, 'ready');
  t.equal(result.droppedQueued, true, 'cancel() of a queued run returns true');
  t.match(result.queuedOutcome, { type: 'run-failed', canceled: true }, 'the queued run fails canceled');
  t.equal(result.droppedEndless, true, 'cancel() of the in-flight run returns true');
  t.match(result.endlessOutcome, { type: 'run-failed', canceled: true }, 'the never-ending run is ended, canceled');
  t.equal(result.unknown, false, 'cancel() of an unknown id returns false');
  t.same(result.next, { type: 'result', value: 4 }, 'the activation serves the next run (1 + 3)');
  t.same(result.exit, { type: 'exit', code: 0 }, 'and closes');
});

t.test('close() during a never-ending run fails it and every queued run, the thread ends, the process exits by itself', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const endless = activation.run(feeds(ENDLESS_TRIPS));
    await inFlight();
    const queued = [activation.run(feeds(1n)), activation.run(feeds(2n))];
    const exit = activation.close();
    const outcomes = [summary(await endless), ...(await Promise.all(queued)).map(summary)];
    let afterClose = 'no throw';
    try {
      activation.run(feeds(1n));
      activation.native.cancel(1);
      activation.native.ref();
      activation.native.unref();
      activation.native.close();
    } catch (e) { afterClose = e.message; }
    report({ outcomes, exit: await exit, afterClose, types: activation.events.map((e) => e.type) });
    // nothing keeps this process alive now
  `, { timeoutMs: 60_000 }));
  t.equal(result.outcomes.length, 3);
  for (const o of result.outcomes) t.match(o, { type: 'run-failed', canceled: true }, 'failed canceled');
  t.same(result.exit, { type: 'exit', code: 0 }, "the thread ended: 'exit'");
  t.equal(result.types.at(-1), 'exit', "'exit' is the last event");
  t.equal(result.afterClose, 'no throw', 'run(), cancel(), ref(), unref() and close() after close() are ignored');
  t.equal(result.types.filter((type: string) => type === 'exit').length, 1, "one 'exit'");
});

t.test('process.exit() with a never-ending run in flight exits at once with its code', { skip }, async (t) => {
  const outcome = await isolated(`${PRELUDE}
    activation.run(feeds(ENDLESS_TRIPS));
    activation.run(feeds(1n));
    await inFlight();
    report({ running: true });
    process.exit(7);
  `, { timeoutMs: 60_000 });
  t.equal(outcome.timedOut, false, 'no hang');
  t.equal(outcome.signal, null, `no crash (stderr: ${outcome.stderr.slice(-300)})`);
  t.equal(outcome.status, 7, 'the exit code is the one given');
  t.same(outcome.result, { running: true });
});

t.test('an idle activation that is unref()d lets the process exit; a ref()d one is closed by the env teardown', { skip }, async (t) => {
  const result = finished(t, await isolated(`${PRELUDE}
    const other = new TestActivation(engineAddon(), loopModel(), ['trips', 'x'], { intraOpNumThreads: 1 });
    await other.started();
    activation.native.unref();
    other.native.unref();
    other.native.ref();
    other.native.unref();
    report({ started: started.type });
  `, { timeoutMs: 60_000 }));
  t.same(result, { started: 'ready' }, 'the process ended by itself with both activations open');
});

t.test('an activation closed and unref()d while its model still loads lets the process exit cleanly', { skip }, async (t) => {
  const result = finished(t, await isolated(`
    const { TestActivation, engineAddon } = await fixtures('native-engine.js');
    const { DET_MODEL } = await fixtures('models.js');
    const activation = new TestActivation(engineAddon(), DET_MODEL, ['x']);
    activation.native.unref();
    activation.native.close();
    report({ abandoned: true });
  `, { timeoutMs: 60_000 }));
  t.same(result, { abandoned: true }, 'no fatal error from events still queued at teardown');
});

t.test('a worker thread that ends with a never-ending run in flight is torn down, and its process exits', { skip }, async (t) => {
  const result = finished(t, await isolated(`
    const { Worker } = await import('node:worker_threads');
    const body = ${JSON.stringify(`${PRELUDE}
      activation.run(feeds(ENDLESS_TRIPS));
      await inFlight();
      parentPort.postMessage('running');
    `)};
    // an ES module body, like this script's (the worker inherits --input-type=module)
    const source = "import { parentPort } from 'node:worker_threads'; const fixtures = (p) => import(new URL(p, " +
      ${JSON.stringify(JSON.stringify(new URL('../fixtures/', import.meta.url).href))} + ").href); " + body;
    const worker = new Worker(source, { eval: true, execArgv: ['--input-type=module'] });
    const message = await new Promise((r) => worker.once('message', r));
    const code = await worker.terminate();
    report({ message, code });
  `, { timeoutMs: 60_000 }));
  t.same(result, { message: 'running', code: 1 }, 'terminate() returned; the thread was ended by the cleanup');
});

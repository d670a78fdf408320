/**
 * Graphs beyond the first: loaded on first use with graph-loading/graph-loaded events; a failed load fails the
 * requests waiting for it and the next request tries again; a model whose inputs are not those registered fails.
 */
import t from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { loopFeeds, loopModel, ENDLESS_TRIPS } from '../fixtures/fault-models.js';
import { addOneModel, identityModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();
const idFeeds = () => [{ type: 'int32', dims: [2, 3], data: Int32Array.of(1, 2, 3, 4, 5, 6) }];

t.test('graph 1 loads on its first run, announced by graph-loading and graph-loaded', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x']);
  const model = identityModel('int32');
  activation.native.setGraph(1, model, ['x'], {});
  try {
    t.equal((await activation.started()).type, 'ready');
    const out = await activation.run(idFeeds(), { graph: 1 });
    t.match(out, { type: 'result', outputs: { y: { type: 'int32', dims: [2, 3] } } }, 'graph 1 answers');
    const types = activation.events.map((e) => e.type);
    t.same(types, ['ready', 'graph-loading', 'graph-loaded', 'result'], 'events in order');
    t.match(activation.events[1], { type: 'graph-loading', graph: 1, file: model });
    t.same(activation.events[2], { type: 'graph-loaded', graph: 1 }, 'loaded without error');
    await activation.run(idFeeds(), { graph: 1 });
    t.equal(activation.events.filter((e) => e.type === 'graph-loading').length, 1, 'loaded once');
    t.throws(() => activation.native.setGraph(1, model, ['x'], {}), { message: /graph 1 is already registered/ }, 'BAD CALL - registering graph 1 twice');
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - a failed lazy load fails the waiting requests; the next request loads it again', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), loopModel(), ['trips', 'x'], { intraOpNumThreads: 1 });
  const later = join(t.testdir(), 'later.onnx');
  activation.native.setGraph(1, later, ['x'], {});
  try {
    t.equal((await activation.started()).type, 'ready');
    // hold the thread on a never-ending run so that both graph-1 requests are queued when the load is tried
    let endlessId = 0;
    const endless = activation.run(loopFeeds(ENDLESS_TRIPS), { onId: (id) => { endlessId = id; } });
    const waiting = [activation.run(idFeeds(), { graph: 1 }), activation.run(idFeeds(), { graph: 1 })];
    activation.native.cancel(endlessId);
    await endless;
    const [first, second] = await Promise.all(waiting);
    t.match(first, { type: 'run-failed', canceled: false, message: /later\.onnx/ }, 'the first request fails with the load error');
    t.match(second, { type: 'run-failed', canceled: false, message: /later\.onnx/ }, 'so does the one waiting behind it');
    t.equal(activation.events.filter((e) => e.type === 'graph-loading').length, 1, 'one load was tried for both');
    t.match(activation.events.find((e) => e.type === 'graph-loaded'), { graph: 1, error: /later\.onnx/ }, 'graph-loaded carries the error');
    copyFileSync(identityModel('int32'), later);
    const retried = await activation.run(idFeeds(), { graph: 1 });
    t.equal(retried.type, 'result', 'the next request loads the graph again, and runs');
    // a registration whose load failed may be replaced (the transport registers again before retrying)
    activation.native.setGraph(2, join(t.testdir(), 'never.onnx'), ['x'], {});
    t.equal((await activation.run(idFeeds(), { graph: 2 })).type, 'run-failed', 'graph 2 does not load');
    activation.native.setGraph(2, identityModel('int32'), ['x'], {});
    t.equal((await activation.run(idFeeds(), { graph: 2 })).type, 'result', 'registered again with a model that loads, it runs');
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - inputs registered for a graph that its model does not have fail the load, naming both', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['input']);
  const event = await activation.started();
  t.match(event, { type: 'load-failed', message: /graph 0's inputs as registered \(input\) are not those of '.*' \(x\)/ });
  await activation.close();
});

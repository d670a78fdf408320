/**
 * onnxruntime's profiler through the C API: every graph registered with a profile prefix writes its own trace, and
 * endProfiling() hands back the files once; an activation that does not profile says so.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addOneModel, identityModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('endProfiling() returns one trace per profiled graph, then refuses a second time', { skip }, async (t) => {
  const dir = t.testdir();
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], { profileFilePrefix: join(dir, 'graph-0') });
  activation.native.setGraph(1, identityModel('int32'), ['x'], { profileFilePrefix: join(dir, 'graph-1') });
  try {
    await activation.run([{ type: 'float32', dims: [1, 4], data: new Float32Array(4) }]);
    await activation.run([{ type: 'int32', dims: [2, 3], data: new Int32Array(6) }], { graph: 1 });
    activation.native.endProfiling();
    const profile = await activation.next('profile');
    if (profile.type !== 'profile') throw new Error('not a profile event');
    t.equal(profile.error, undefined, 'no error');
    t.same(profile.files.map((f) => f.graph), [0, 1], 'one file per graph');
    for (const f of profile.files) {
      t.match(f.file, join(dir, `graph-${f.graph}`), `graph ${f.graph}: the file has its prefix`);
      const events = JSON.parse(readFileSync(f.file, 'utf8')) as Array<{ name: string }>;
      t.ok(events.some((e) => e.name === 'model_run'), `graph ${f.graph}: the trace holds the run`);
      t.ok(f.createStartNs > 0, `graph ${f.graph}: the session's creation start is given`);
    }
    activation.native.endProfiling();
    const again = await activation.next('profile', false);
    t.match(again, { type: 'profile', files: [], error: /already ended its profile/ }, 'EXPECTED FAILURE - a second endProfiling()');
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - endProfiling() on an activation that does not profile says so', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x']);
  try {
    activation.native.endProfiling();
    t.match(await activation.next('profile'), { type: 'profile', files: [], error: 'this activation is not profiling' });
  } finally {
    await activation.close();
  }
});

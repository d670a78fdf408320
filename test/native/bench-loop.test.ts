/**
 * The benchmark loop inside the native threads: in count mode the activations share one count through the control
 * block and their results add up to it exactly; in time mode each stops at the deadline; a participant that fails
 * releases the others from the barrier; cancel() ends a benchmark waiting there.
 */
import t from 'tap';
import { BENCH_SLOT, BENCH_SLOTS } from '../../lib/runtime/protocol.js';
import { addOneModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

function control(remaining: number): Int32Array {
  const c = new Int32Array(new SharedArrayBuffer(BENCH_SLOTS * 4));
  c[BENCH_SLOT.remaining] = remaining;
  return c;
}

const feeds = () => [{ type: 'float32', dims: [2, 4], data: new Float32Array(8).fill(1) }];

t.test('count mode: two activations share the count, and their results add up to it', { skip }, async (t) => {
  const addon = engineAddon();
  const model = addOneModel();
  const activations = [0, 1].map(() => new TestActivation(addon, model, ['x'], { intraOpNumThreads: 1 }));
  try {
    const c = control(60);
    const results = await Promise.all(activations.map((a) => a.bench(feeds(), 2, 3, 0, 2, c)));
    for (const r of results) {
      t.equal(r.error, undefined, 'no error');
      t.equal(r.samplesNs.length, r.count, 'one sample per counted inference');
      t.ok(r.samplesNs.every((s) => s > 0), 'every latency is positive');
      t.ok(r.count === 0 || r.startNs <= r.endNs, 'the window starts before it ends (endNs stays 0 when nothing was counted, as in worker.ts)');
      t.ok(r.warmupNs > 0, 'the warm-up was timed');
    }
    t.equal(results[0]!.count + results[1]!.count, 60, 'the counts add up to the shared count');
    t.equal(c[BENCH_SLOT.completed], 60, 'the completed slot counts every measured inference');
    t.equal(c[BENCH_SLOT.arrived], 2, 'both arrived at the barrier');
    t.equal(c[BENCH_SLOT.go], 1, 'the last to arrive opened it');
    t.equal(c[BENCH_SLOT.abort], 0, 'nobody aborted');
  } finally {
    await Promise.all(activations.map((a) => a.close()));
  }
});

t.test('time mode: the loop stops by itself and keeps what completed', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], { intraOpNumThreads: 1 });
  try {
    const r = await activation.bench(feeds(), 0, 1, 0.2, 1, control(2 ** 31 - 1));
    t.equal(r.error, undefined, 'no error');
    t.ok(r.count >= 1, 'at least one inference counted');
    t.equal(r.samplesNs.length, r.count, 'one sample per counted inference');
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - a participant whose graph does not load aborts the others at the barrier', { skip }, async (t) => {
  const addon = engineAddon();
  const good = new TestActivation(addon, addOneModel(), ['x'], { intraOpNumThreads: 1 });
  const bad = new TestActivation(addon, addOneModel(), ['x'], { intraOpNumThreads: 1 });
  bad.native.setGraph(1, `${t.testdir()}/missing.onnx`, ['x'], {});
  try {
    const c = control(100);
    const [ok, failed] = await Promise.all([good.bench(feeds(), 0, 1, 0, 2, c), bad.bench(feeds(), 0, 1, 0, 2, c, 1)]);
    t.match(failed.error, /missing\.onnx/, 'the failing one says why, naming the file');
    t.match(ok.error, /another activation failed during the benchmark warm-up/, 'the other one is released');
    t.equal(c[BENCH_SLOT.abort], 1, 'abort is set');
  } finally {
    await good.close();
    await bad.close();
  }
});

t.test('cancel() ends a benchmark waiting at the barrier', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], { intraOpNumThreads: 1 });
  try {
    const c = control(10);
    // two parties, only one comes: it waits at the barrier until canceled
    const pending = activation.bench(feeds(), 0, 1, 0, 2, c);
    while (c[BENCH_SLOT.arrived] === 0) await new Promise((r) => setTimeout(r, 5));
    t.equal(activation.native.cancel(1), true, 'cancel() finds it');
    const r = await pending;
    t.match(r.error, /canceled/, 'it ends with an error saying so');
  } finally {
    await activation.close();
  }
});

t.test('BAD CALL - a control block not over shared memory is refused', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x']);
  try {
    t.throws(() => activation.native.bench(1, 0, feeds(), 0, 1, 0, 1, new Int32Array(BENCH_SLOTS)), { message: /SharedArrayBuffer/ });
  } finally {
    await activation.close();
  }
});

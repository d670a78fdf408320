import t from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cpusForActivation, loadAffinity, ortIntraOpAffinities } from '../../lib/runtime/affinity.js';
import { nativeAddonFile } from '../../lib/runtime/native-addon.js';
import { machineCores } from '../../lib/options.js';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

// pinning comes from the native engine addon (its pinThread/threadAffinity), whichever engine runs
const addon = nativeAddonFile();
const notBuilt = 'reason' in addon ? addon.reason : false;

t.test('without the addon the loader reports pinning off, naming the file and the fix', async (t) => {
  const missing = join(t.testdir(), 'qaic_engine.node');
  const pinning = loadAffinity(missing);
  t.equal(pinning.available, false);
  if (!pinning.available) {
    t.match(pinning.reason, missing);
    t.match(pinning.reason, 'npm run build:native');
  }
});

t.test('a file that is not a loadable addon reports pinning off with the loader error', async (t) => {
  const junk = join(t.testdir(), 'junk.node');
  writeFileSync(junk, 'not a shared object');
  const pinning = loadAffinity(junk);
  t.equal(pinning.available, false);
  if (!pinning.available) t.match(pinning.reason, /could not be loaded/);
});

t.test('onnxruntime affinity strings are 1-based, one group per pool thread', async (t) => {
  t.equal(ortIntraOpAffinities([0], 1), undefined, 'one thread has no pool thread to pin');
  t.equal(ortIntraOpAffinities([2, 3], 2), '4');
  t.equal(ortIntraOpAffinities([0, 1, 2, 3], 3), '2;3');
  t.throws(() => ortIntraOpAffinities([0], 2), { code: 'QAIC_INVALID_OPTION' }, 'BAD CALL - fewer CPUs than threads');
  t.throws(() => ortIntraOpAffinities([], 1), { code: 'QAIC_INVALID_OPTION' }, 'BAD CALL - no CPUs');
});

t.test('activations get consecutive blocks of the allowed CPUs, wrapping when oversubscribed', async (t) => {
  t.same(cpusForActivation(0, 1, [4, 5]), [4]);
  t.same(cpusForActivation(1, 1, [4, 5]), [5]);
  t.same(cpusForActivation(2, 1, [4, 5]), [4]);
  t.same(cpusForActivation(0, 2, [0, 1, 2, 3]), [0, 1]);
  t.same(cpusForActivation(1, 2, [0, 1, 2, 3]), [2, 3]);
  t.same(cpusForActivation(0, 4, [0, 1]), [0, 1], 'a CPU is listed once');
});

// a real addon of another package: onnxruntime-node's binding
const other = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');

t.test('a file that loads but is not the engine addon reports pinning off, naming it', { skip: existsSync(other) ? false : `no onnxruntime-node binding at ${other}` }, async (t) => {
  const pinning = loadAffinity(other);
  t.equal(pinning.available, false);
  if (!pinning.available) t.match(pinning.reason, `'${other}' is not the qaic native engine addon`);
});

t.test('with the built addon a worker pins only itself', { skip: notBuilt }, async (t) => {
  const pinning = loadAffinity();
  t.equal(pinning.available, true);
  if (!pinning.available) return;
  const before = pinning.current();
  const target = before[before.length - 1]!;
  const loader = new URL('../../lib/runtime/affinity.js', import.meta.url).href;
  const worker = new Worker(
    `import { loadAffinity } from ${JSON.stringify(loader)};
     import { parentPort, workerData } from 'node:worker_threads';
     const p = loadAffinity();
     p.pin([workerData]);
     parentPort.postMessage(p.current());`,
    { eval: true, workerData: target },
  );
  const inWorker = await new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  t.same(inWorker, [target], 'the worker runs only on its CPU');
  t.same(pinning.current(), before, 'the main thread keeps its affinity');
  t.throws(() => pinning.pin([1 << 20]), { code: 'QAIC_PINNING_FAILED', message: /CPUs \[1048576\]: CPU 1048576 is out of range/ }, 'BAD CALL - a CPU the machine does not have');
  t.throws(() => pinning.pin([-1]), { code: 'QAIC_INVALID_OPTION' }, 'BAD CALL - a negative CPU index');
});

t.test('pin_cores pins each activation and onnxruntime accepts the pool-thread affinities', { skip: notBuilt }, async (t) => {
  const cores = machineCores();
  const allowed = (loadAffinity() as { current(): number[] }).current();
  const session = new Session(addOneModel([2, 4]), { pin_cores: true, num_activations: cores });
  t.teardown(() => session.close());
  await session.setup();
  const pinned = session._pool!.activations.map((a) => a.pinnedCpus);
  t.same(pinned, allowed.slice(0, cores).map((c) => [c]), 'activation i runs on allowed CPU i');
  const out = await session.run({ x: new Float32Array(8) });
  t.same([...(out['y']!.data as Float32Array)], new Array(8).fill(1));

  const wide = new Session(addOneModel([2, 4]), { pin_cores: true, aic_num_cores: cores });
  t.teardown(() => wide.close());
  await wide.setup();
  t.same(wide._pool!.activations[0]!.pinnedCpus, allowed.slice(0, cores), 'the worker thread may use all of its activation\'s cores');
  const out2 = await wide.run({ x: new Float32Array(8) });
  t.same([...(out2['y']!.data as Float32Array)], new Array(8).fill(1), 'a 2-thread pinned session runs');
});

// the worker engine's case (the native engine cannot run without the addon at all)
t.test('pin_cores without the addon warns that pinning is off on the worker engine, and the session still runs', async (t) => {
  const missing = join(t.testdir(), 'nowhere', 'qaic_engine.node');
  process.env['QAIC_NATIVE_ADDON'] = missing;
  t.teardown(() => { delete process.env['QAIC_NATIVE_ADDON']; });
  const warnings: Array<{ code?: string; message: string }> = [];
  const onWarning = (w: Error & { code?: string }): void => { warnings.push({ code: w.code, message: w.message }); };
  process.on('warning', onWarning);
  t.teardown(() => { process.off('warning', onWarning); });
  const session = new Session(addOneModel([2, 4]), { pin_cores: true, engine: 'worker' });
  t.teardown(() => session.close());
  const out = await session.run({ x: new Float32Array(8) });
  t.same([...(out['y']!.data as Float32Array)], new Array(8).fill(1));
  t.equal(session._pool!.activations[0]!.pinnedCpus, undefined, 'not pinned');
  await new Promise((r) => setImmediate(r));
  const off = warnings.find((w) => w.code === 'QAIC_PINNING_OFF');
  t.ok(off, 'a QAIC_PINNING_OFF warning was emitted');
  t.match(off?.message ?? '', /pin_cores: pinning off: .*nowhere.*npm run build:native/);
});

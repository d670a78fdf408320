import t from 'tap';
import { existsSync } from 'node:fs';
import { QaicError } from '../../lib/errors.js';
import { createRuntime } from '../../lib/runtime/create-runtime.js';
import type { RunResult, Runtime, RuntimeSpec } from '../../lib/runtime/runtime.js';
import { addOneModel, within } from '../fixtures/models.js';

// The Runtime interface on its own, as the session and metrics use it (and as a second engine must behave):
// start, await readiness, dispatch, run the benchmark loop, end profiling, stop.

function spec(profileDir?: string): RuntimeSpec {
  return {
    modelPath: addOneModel(), inputNames: ['x'], sessionOptions: {}, numActivations: 2, coresPerActivation: 1,
    setSize: 2, timeoutMs: 60_000, pinCores: false, profileDir,
  };
}

function run(runtime: Runtime, value: number): Promise<RunResult> {
  const data = new Float32Array(4).fill(value);
  return new Promise((resolve, reject) => runtime.dispatch({ feeds: [{ type: 'float32', dims: [1, 4], data }], transfer: [data.buffer] }, resolve, reject));
}

t.test('a runtime runs requests and the benchmark loop in its activations, and refuses both once stopped', async (t) => {
  const runtime = createRuntime(spec());
  t.teardown(() => runtime.stop(new QaicError('QAIC_ABORTED', 'test over')));
  await runtime.start();
  await within(runtime.whenReady(), 10_000, 'whenReady after start');
  const result = await run(runtime, 41);
  t.same([...(result.outputs['y']!.data as Float32Array)], [42, 42, 42, 42], 'the activation answered');
  t.equal(result.first, true, 'its first inference');

  const reports: number[] = [];
  const feeds = [{ type: 'float32' as const, dims: [1, 4], data: new Float32Array(4) }];
  const samples = await runtime.runBenchmark({ feeds, warmup: 1, depth: runtime.setSize, mode: 'count', count: 20, seconds: 0, progress: { everyMs: 1, report: (n) => reports.push(n) } });
  t.same(samples.map((s) => s.activation), [0, 1], 'one entry per activation, in order');
  t.equal(samples.reduce((n, s) => n + s.count, 0), 20, 'exactly the count asked for, over both');
  for (const s of samples) t.equal(s.samplesNs.length, s.count, `activation ${s.activation}: one latency per inference`);
  t.ok(reports.every((n, i) => n >= 0 && n <= 20 && (i === 0 || n >= reports[i - 1]!)), 'progress only grows, within the count');
  t.equal(feeds[0]!.data.length, 4, 'the benchmark feeds were copied, not transferred');

  await runtime.stop(new QaicError('QAIC_ABORTED', 'stopped by the test'));
  await t.rejects(run(runtime, 1), { code: 'QAIC_ABORTED' }, 'dispatch after stop');
  await t.rejects(runtime.runBenchmark({ feeds, warmup: 0, depth: 1, mode: 'count', count: 1, seconds: 0 }), { code: 'QAIC_ABORTED' }, 'benchmark after stop');
  await within(runtime.whenReady(), 1000, 'whenReady after stop');
  await within(runtime.whenIdle(), 1000, 'whenIdle after stop');
});

t.test('endProfiling() ends each activation\'s onnxruntime profile once', async (t) => {
  const runtime = createRuntime(spec(t.testdir({})));
  t.teardown(() => runtime.stop(new QaicError('QAIC_ABORTED', 'test over')));
  await runtime.start();
  await run(runtime, 1);
  const ended = await runtime.endProfiling();
  t.same(ended.map((p) => p.activation).sort(), [0, 1], 'both activations ended their profile');
  for (const p of ended) t.ok(p.file !== undefined && existsSync(p.file), `activation ${p.activation} wrote ${p.file}`);
  t.same(await runtime.endProfiling(), [], 'not asked again: onnxruntime cannot restart profiling');
});

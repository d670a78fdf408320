/**
 * Compute units on the native engine (issue 17): the addon appends onnxruntime's execution providers through the C
 * API, so a GPU session runs on native threads too. PP-OCR cls on ['gpu', 'cpu'] equals the CPU provider, its
 * placement shows the Clip fallback, and a provider option onnxruntime refuses (or a provider it cannot load) comes
 * back as a typed error naming it, with onnxruntime's reason, as on the worker engine. The GPU test fails in CI
 * without an adapter (QAIC_REQUIRE_GPU), and skips elsewhere.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { createRuntime } from '../../lib/runtime/create-runtime.js';
import type { Engine } from '../../lib/runtime/engine.js';
import { CLS_MODEL, addOneModel, within } from '../fixtures/models.js';
import { pseudoImage } from '../fixtures/images.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

const SHAPE = [1, 3, 48, 192];
const gpuSkip = NATIVE_SKIP || await skipWithoutGpu(t);

t.test("cls on ['gpu', 'cpu'] runs on the native engine, equals the CPU provider within 1e-4, Clip on the CPU", { skip: gpuSkip }, async (t) => {
  const input = pseudoImage(SHAPE, 11);
  const reference = await ort.InferenceSession.create(CLS_MODEL, { intraOpNumThreads: 1 });
  const name = reference.inputNames[0]!;
  const expected = Object.values(await reference.run({ [name]: new ort.Tensor('float32', input.slice(), SHAPE) }))[0]!.data as Float32Array;
  await reference.release();

  const fallbacks: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === 'QAIC_ENGINE_FALLBACK') fallbacks.push(w.message);
  };
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  // the default engine: a GPU in compute_unit no longer sends the session to the worker engine
  const session = new Session(CLS_MODEL, { compute_unit: ['gpu', 'cpu'], enable_metrics: true, engine: process.env.QAIC_ENGINE === 'worker' ? 'native' : undefined });
  t.teardown(() => session.close());
  const out = await session.run({ [name]: { data: input.slice(), shape: SHAPE } });
  t.equal(session.engine, 'native', 'a GPU session runs on the native engine');
  await new Promise((r) => setImmediate(r));
  t.same(fallbacks, [], 'without falling back to the worker engine');
  const got = Object.values(out)[0]!.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
  t.ok(worst <= 1e-4, `worst absolute difference to the CPU provider ${worst.toExponential(2)} <= 1e-4`);

  const placement = session.placement;
  if (placement === undefined) return void t.fail('session.placement is there once active');
  const cpu = placement.subnets.filter((s) => s.unit === 'cpu');
  t.ok(cpu.length > 0 && cpu.every((s) => s.nodes.every((n) => n.op === 'Clip')), `the CPU subnets hold only Clip nodes (${placement.totals.cpu?.nodes} of them)`);
  t.ok((placement.totals.gpu?.nodes ?? 0) > 100, `the rest runs on the GPU (${placement.totals.gpu?.nodes} nodes)`);
  t.ok(placement.subnets.some((s) => s.provider === 'WebGpuExecutionProvider'), "onnxruntime's WebGPU provider ran them");
  t.ok(cpu.every((s) => s.copiesIn.length > 0 && s.copiesIn.every((c) => c.from === 'gpu' && c.bytes > 0)), 'every CPU subnet starts with a copy from the GPU');
  t.same(Object.keys(placement.measuredWith), [name], 'the shapes of the measured inference are given');

  // the first inference compiled the shaders: kept out of the figures and said so, as on the worker engine
  await session.run({ [name]: { data: input.slice(), shape: SHAPE } });
  const report = session.getMetricsReport();
  t.ok(report.warnings.some((w) => /firstInference: the activations ran on the GPU/.test(w)), 'the metrics report says the first inference compiled shaders');
});

/** What starting one native-engine activation of a one-node model with `executionProviders` ends with. */
async function startWith(engine: Engine, executionProviders: unknown[]): Promise<unknown> {
  const runtime = createRuntime({
    engine, modelPath: addOneModel(), inputNames: ['x'], sessionOptions: { executionProviders },
    numActivations: 1, coresPerActivation: 1, setSize: 1, timeoutMs: 60_000, pinCores: false,
  });
  try {
    await within(runtime.start(), 60_000, 'runtime.start()');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await runtime.stop(new QaicError('QAIC_ABORTED', 'test over'));
  }
}

t.test('a provider option onnxruntime refuses is a typed error naming the option, with its reason, as on the worker engine', { skip: NATIVE_SKIP }, async (t) => {
  const native = await startWith('native', [{ name: 'webgpu', validationMode: 'sometimes' }, 'cpu']);
  t.ok(native instanceof QaicError, 'a QaicError');
  t.equal((native as QaicError).code, 'QAIC_ACTIVATION_FAILED');
  t.match((native as QaicError).message, /sessionOptions\.executionProviders\[0\] \('webgpu' with validationMode\): onnxruntime: .*Invalid validation mode: sometimes/, "naming the provider and its option, with onnxruntime's reason");
  const worker = await startWith('worker', [{ name: 'webgpu', validationMode: 'sometimes' }, 'cpu']);
  t.equal((worker as QaicError).code, 'QAIC_ACTIVATION_FAILED', 'the worker engine fails the same way');
  t.match((worker as QaicError).message, /Invalid validation mode: sometimes/);

  const unknown = await startWith('native', [{ name: 'webgpu', validationMod: 'full' }]);
  t.equal((unknown as QaicError).code, 'QAIC_ACTIVATION_FAILED');
  t.match((unknown as QaicError).message, /executionProviders\[0\]\.options: the WebGPU provider has no option 'validationMod' \(it takes .*validationMode/, 'a misspelt option is refused, not ignored (as onnxruntime-node refuses it)');
});

t.test("a CUDA provider this host lacks is a typed error with onnxruntime's reason", { skip: NATIVE_SKIP }, async (t) => {
  const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  if (existsSync(join(ortDir, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'))) {
    return void t.pass('onnxruntime-node has its CUDA provider here: nothing to refuse');
  }
  const native = await startWith('native', ['cuda', 'cpu']);
  t.equal((native as QaicError).code, 'QAIC_ACTIVATION_FAILED');
  t.match((native as QaicError).message, /sessionOptions\.executionProviders\[0\] \('cuda'\): onnxruntime: .*Failed to load shared library/);
  const worker = await startWith('worker', ['cuda', 'cpu']);
  t.match((worker as QaicError).message, /Failed to load shared library/, 'the same reason as on the worker engine');
});

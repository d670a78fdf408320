/**
 * The entry of a compute-unit probe child process: `node compute-unit-probe.js <provider>` builds a one-node model
 * with the project's ONNX builder, creates an onnxruntime session on that execution provider alone (CPU fallback
 * disabled, so the node must really be placed there), runs it once, checks the answer and prints one JSON line
 * `{ ok: true }` or `{ ok: false, reason }`. It runs in a child because a provider can abort the process or hang
 * while it looks for a device (a broken Vulkan driver); the caller ({@link availableComputeUnits}) bounds it in time.
 */
import { createRequire } from 'node:module';
import { graph, model, node, tensorInfo } from '../onnx/builder.js';
import { encodeModel } from '../onnx/model.js';

type Ort = typeof import('onnxruntime-node');

async function probe(provider: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
  const bytes = encodeModel(model(graph({
    nodes: [node('Add', ['x', 'x'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [4])],
    outputs: [tensorInfo('y', 'float32', [4])],
  })));
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [provider], logSeverityLevel: 3, extra: { session: { disable_cpu_ep_fallback: '1' } },
    } as never);
  } catch (error) {
    return { ok: false, reason: ortReason(error) };
  }
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [4]) });
  const y = out.y!.data as Float32Array;
  await session.release();
  if (![2, 4, 6, 8].every((v, i) => y[i] === v)) return { ok: false, reason: `the ${provider} provider computed x + x wrongly: [${Array.from(y).join(', ')}]` };
  return { ok: true };
}

/** onnxruntime's message without its source location prefix ("/onnxruntime_src/...cc:136 ... was false. "). */
function ortReason(error: unknown): string {
  const message = String((error as Error)?.message ?? error).trim();
  return message.replace(/^\/onnxruntime_src\/\S+ .*? was false\. /s, '').replace(/\s+/g, ' ');
}

/** Print the answer, then exit without waiting for the provider's threads (pipes are asynchronous on some systems). */
function answer(result: { ok: boolean; reason?: string }): void {
  process.stdout.write(`PROBE ${JSON.stringify(result)}\n`, () => process.exit(0));
}

probe(process.argv[2] ?? '').then(answer, (error: unknown) => answer({ ok: false, reason: ortReason(error) }));

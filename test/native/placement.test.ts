/**
 * measurePlacement() (issue 17): on the activation thread, a session of its own runs one profiled inference on zeros
 * (each symbolic dim as 1) and its profile comes back with the shapes it ran on; the node events name the provider
 * that ran them. Malformed session options, execution providers included, are refused naming the field. CPU only: the
 * GPU case is test/runtime/native-compute-units.test.ts.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { twoInputModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

t.test('measurePlacement() profiles one inference on zeros and hands back the file and the shapes', { skip }, async (t) => {
  const dir = t.testdir();
  const model = twoInputModel();
  const activation = new TestActivation(engineAddon(), model, ['a', 'b', 'c']);
  try {
    t.equal((await activation.started()).type, 'ready');
    activation.native.measurePlacement(-1, model, { executionProviders: [{ name: 'cpu' }], logSeverityLevel: 3, profileFilePrefix: join(dir, 'placement') });
    const event = await activation.next('placement');
    if (event.type !== 'placement') throw new Error('not a placement event');
    t.equal(event.error, undefined, 'no error');
    t.equal(event.id, -1, 'the request it answers');
    t.same(event.inputs, { a: [2, 2], b: [2, 2], c: [1] }, 'the symbolic dim ran as 1, fixed dims as they are');
    t.match(event.file, join(dir, 'placement'), 'the file has the prefix');
    const nodes = (JSON.parse(readFileSync(event.file!, 'utf8')) as Array<{ cat?: string; name?: string; args?: { provider?: string } }>)
      .filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time') === true);
    t.ok(nodes.length >= 2, 'both nodes ran');
    t.ok(nodes.every((e) => e.args?.provider === 'CPUExecutionProvider'), 'each names the provider that ran it');
    // the activation's own session is untouched: it still runs
    const out = await activation.run([
      { type: 'float32', dims: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
      { type: 'float32', dims: [2, 2], data: Float32Array.of(1, 1, 1, 1) },
      { type: 'int64', dims: [1], data: BigInt64Array.of(7n) },
    ]);
    if (out.type !== 'result') throw new Error(`the run failed: ${out.message}`);
    t.same(Array.from(out.outputs['sum']!.data as Float32Array), [2, 3, 4, 5]);
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - malformed execution providers and a missing profile prefix are refused naming the field', { skip }, async (t) => {
  const model = twoInputModel();
  const activation = new TestActivation(engineAddon(), model, ['a', 'b', 'c']);
  try {
    t.equal((await activation.started()).type, 'ready');
    const measure = (options: Record<string, unknown>): void => activation.native.measurePlacement(-2, model, options as never);
    t.throws(() => measure({}), /measurePlacement\(\): sessionOptions\.profileFilePrefix must be set/);
    t.throws(() => measure({ profileFilePrefix: '/tmp/x', executionProviders: 'webgpu' }), /sessionOptions\.executionProviders must be an array, got 'webgpu'/);
    t.throws(() => measure({ profileFilePrefix: '/tmp/x', executionProviders: ['tensorrt'] }), /executionProviders\[0\] must name 'webgpu', 'cuda' or 'cpu', got 'tensorrt'/);
    t.throws(() => measure({ profileFilePrefix: '/tmp/x', executionProviders: [{ name: 'webgpu', options: { validationMode: 1 } }] }), /executionProviders\[0\]\.options\['validationMode'\] must be a string, got 1/);
    t.throws(() => measure({ profileFilePrefix: '/tmp/x', executionProviders: [{ name: 'cpu', options: { arena: '1' } }] }), /the CPU provider takes no options/);
  } finally {
    await activation.close();
  }
});

import t from 'tap';
import { isolated } from '../fixtures/isolated.js';
import { NO_VULKAN_ENV } from '../fixtures/gpu.js';

// On a host without a GPU (a child process whose Vulkan loader finds no device): 'gpu' alone is refused with the
// reason, and ['gpu', 'cpu'] warns once with the reason and runs on the CPU. No adapter is needed for this file.
t.test("'gpu' alone is refused with the reason; ['gpu', 'cpu'] warns and runs on the CPU", async (t) => {
  const outcome = await isolated(`
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const warnings = [];
    process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
    const path = identityModel('float32', [2, 3]);
    const x = () => ({ data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] });
    const alone = new Session(path, { compute_unit: 'gpu' });
    const refused = await attempt(() => alone.setup());
    const state = alone.state;
    const retried = await attempt(() => alone.run({ x: x() }));
    await alone.close();
    const npu = new Session(path, { compute_unit: ['npu'] });
    const npuRefused = await attempt(() => npu.setup());
    await npu.close();
    const listed = new Session(path, { compute_unit: ['gpu', 'cpu'] });
    const ran = await attempt(async () => Array.from((await listed.run({ x: x() })).y.data));
    const again = await attempt(async () => Array.from((await listed.run({ x: x() })).y.data));
    const placement = listed.placement;
    const engine = listed.engine;
    await listed.close();
    await new Promise((r) => setImmediate(r));
    report({ refused, state, retried, npuRefused, ran, again, placement, engine, warnings: warnings.filter((w) => w.code?.startsWith('QAIC_COMPUTE')) });
  `, { env: NO_VULKAN_ENV, timeoutMs: 180_000 });
  t.equal(outcome.status, 0, outcome.stderr.slice(-2000));
  const r = outcome.result;
  t.equal(r.refused.code, 'QAIC_COMPUTE_UNIT_UNAVAILABLE');
  t.match(r.refused.message, /option 'compute_unit' \(gpu\): no listed compute unit is available on this host \(gpu: .*WebGPU provider: .*adapter/i, 'the reason is in the message');
  t.equal(r.state, 'created', 'the session is left usable, not half-active');
  t.equal(r.retried.code, 'QAIC_COMPUTE_UNIT_UNAVAILABLE', 'and a later run() fails the same way');
  t.match(r.npuRefused.message, /npu: onnxruntime-node has no NPU execution provider/);
  t.same(r.ran, { ok: true, value: [1, 2, 3, 4, 5, 6] }, 'the list falls back to the CPU and runs');
  t.same(r.again, { ok: true, value: [1, 2, 3, 4, 5, 6] });
  t.equal(r.engine, process.env.QAIC_ENGINE === 'worker' ? 'worker' : 'native', 'on the default engine, as a CPU session');
  t.same(r.placement?.totals, { cpu: { nodes: 1, subnets: 1, bytesIn: 0 } }, 'the report shows the one node on the CPU');
  t.same(r.placement?.subnets?.[0]?.nodes?.map((n: { op: string }) => n.op), ['Identity']);
  t.equal(r.warnings.length, 1, 'one warning per process');
  t.equal(r.warnings[0]?.code, 'QAIC_COMPUTE_UNIT_FALLBACK');
  t.match(r.warnings[0]?.message, /option 'compute_unit' \(gpu,cpu\): gpu: .*adapter.*; running on cpu/i);
});

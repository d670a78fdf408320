import t from 'tap';
import { availableComputeUnits } from '../../lib/runtime/compute-units.js';
import { availableComputeUnits as exported } from '../../lib/index.js';
import { isolated } from '../fixtures/isolated.js';
import { NO_VULKAN_ENV, skipWithoutGpu } from '../fixtures/gpu.js';

t.test('cpu is always there, npu never (no provider in the Node build), and the answer is cached per process', async (t) => {
  const first = await availableComputeUnits();
  t.equal(exported, availableComputeUnits, 'exported from the package entry');
  t.ok(first.units.includes('cpu'));
  t.same(first.status.cpu, { unit: 'cpu', available: true, provider: 'cpu' });
  t.equal(first.status.npu.available, false);
  t.match(first.status.npu.reason, /no NPU execution provider/);
  t.equal(await availableComputeUnits(), first, 'the same frozen object: probed once');
  t.ok(Object.isFrozen(first) && Object.isFrozen(first.units) && Object.isFrozen(first.status.gpu));
  t.same(first.units, (['npu', 'gpu', 'cpu'] as const).filter((u) => first.status[u].available), 'units lists the available ones in fallback order');
});

t.test('without a Vulkan device the gpu is missing, with the WebGPU provider\'s reason', async (t) => {
  const outcome = await isolated(`
    const { availableComputeUnits } = await lib('runtime/compute-units.js');
    report(await availableComputeUnits());
  `, { env: NO_VULKAN_ENV, timeoutMs: 120_000 });
  t.equal(outcome.status, 0, outcome.stderr.slice(-2000));
  const found = outcome.result;
  if (found.status.gpu.provider === 'cuda') {
    t.comment('this host has a working CUDA provider: the gpu is there without Vulkan');
    return;
  }
  t.same(found.units, ['cpu']);
  t.equal(found.status.gpu.available, false);
  t.match(found.status.gpu.reason, /CUDA provider: not installed .*; WebGPU provider: .*adapter/i, 'both providers say why not');
});

t.test('with an adapter the gpu is found through a real session', { skip: await skipWithoutGpu(t) }, async (t) => {
  const found = await availableComputeUnits();
  t.same(found.units, ['gpu', 'cpu']);
  t.ok(found.status.gpu.provider === 'webgpu' || found.status.gpu.provider === 'cuda', `provider ${String(found.status.gpu.provider)}`);
  t.equal(found.status.gpu.reason, undefined);
});

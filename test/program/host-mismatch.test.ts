import t from 'tap';
import { Session } from '../../lib/session.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { hostCpuFeatures, hostFeatureMismatch, openProgram, writeProgram } from '../../lib/program/index.js';
import { hostKernelFeatures } from '../../lib/compiler/host-features.js';
import { tempDir } from './helpers.js';

function addGraph(name: string, hostFeatures: string[]) {
  const m = model(graph({
    nodes: [node('Add', ['x', 'c'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [64])],
    outputs: [tensorInfo('y', 'float32', [64])],
    initializers: [initializer('c', 'float32', [64], new Float32Array(64).fill(1))],
  }));
  const io = modelIO(m);
  return { name, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures };
}

t.test('this host publishes its CPU features', async (t) => {
  const features = hostCpuFeatures();
  t.ok(features.size > 0, `${features.size} features read from /proc/cpuinfo`);
  if (process.arch === 'x64') t.ok(features.has('sse2'), 'every x86-64 host has sse2');
});

t.test('a graph built for CPU features this host lacks is refused with advice to recompile', async (t) => {
  const dir = tempDir(t);
  // what the compiler records on this host for an NCHWc graph
  const present = hostKernelFeatures();
  await writeProgram(dir, [addGraph('here', present), addGraph('elsewhere', [...present, 'qaic_test_feature_no_cpu_has'])], { sources: [], compileOptions: {} });
  const program = await openProgram(dir);
  t.ok(await program.loadable('here'), 'a graph whose features this host has loads');
  await t.rejects(program.loadable('elsewhere'), {
    code: 'QAIC_PROGRAM_HOST_MISMATCH',
    message: /graph 'elsewhere' of program .*this host lacks qaic_test_feature_no_cpu_has\); recompile the model on this host/,
  });
  const session = new Session(dir, { graph: 'elsewhere' });
  await t.rejects(session.setup(), { code: 'QAIC_PROGRAM_HOST_MISMATCH' });
  await session.close();
  const forced = await openProgram(dir, { allowHostMismatch: true });
  t.equal((await forced.loadable('elsewhere')).name, 'elsewhere', 'allowHostMismatch loads it anyway');
});

t.test('an AVX2-laid-out graph is refused on an AVX-512 host (NCHWc block sizes differ)', async (t) => {
  const avx512Host = new Set(['avx', 'avx2', 'fma', 'avx512f']);
  const avx2Host = new Set(['avx', 'avx2', 'fma']);
  t.same(hostFeatureMismatch(['avx', 'avx2', 'fma', 'avx512f'], avx512Host), [], 'same features: accepted');
  t.same(hostFeatureMismatch([], avx512Host), [], 'a portable graph runs anywhere');
  t.match(hostFeatureMismatch(['avx', 'avx2', 'fma'], avx512Host), [/has avx512f, which changes the NCHWc block size/]);
  t.same(hostFeatureMismatch(['avx', 'avx2', 'fma', 'avx512f'], avx2Host), ['lacks avx512f']);
});

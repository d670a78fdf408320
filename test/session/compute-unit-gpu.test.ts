import t, { type Test } from 'tap';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { readManifestSync } from '../../lib/program/open.js';
import type { CompileReport } from '../../lib/compiler/report.js';
import { CLS_MODEL } from '../fixtures/models.js';
import { pseudoImage } from '../fixtures/images.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';
import type { PlacementReport } from '../../lib/runtime/placement.js';

// PP-OCR cls (the smallest PP-OCR model: its shaders compile fastest on a software Vulkan device) on ['gpu', 'cpu'],
// in this process (the default engine: native, or the worker engine under QAIC_ENGINE=worker, as .ci/run's second
// pass runs this file) and in a child process (always the worker engine), against plain onnxruntime on the CPU.
// Fails in CI without an adapter.
const SHAPE = [1, 3, 48, 192];
const skip = await skipWithoutGpu(t);
/** The engine a session of `isolation` runs on here: a child process is always the worker engine's. */
const engineFor = (isolation: 'thread' | 'process'): string => (isolation === 'process' || process.env.QAIC_ENGINE === 'worker' ? 'worker' : 'native');
// Under QAIC_ENGINE=worker the child-process session would repeat the default pass exactly (it ignores the variable):
// left out there, since a GPU session costs seconds of shader compiling on a software device.
const ISOLATIONS = process.env.QAIC_ENGINE === 'worker' ? (['thread'] as const) : (['thread', 'process'] as const);

/** The report onnxruntime's placement of cls gives: its Clip nodes (no WebGPU kernel) on the CPU, the rest on the GPU. */
function checkClipFallback(t: Test, placement: PlacementReport | undefined, engine: string): void {
  if (placement === undefined) return void t.fail(`${engine}: session.placement is there once active`);
  const cpu = placement.subnets.filter((s) => s.unit === 'cpu');
  t.ok(cpu.length > 0 && cpu.every((s) => s.nodes.every((n) => n.op === 'Clip')), `${engine}: the CPU subnets hold only Clip nodes (${placement.totals.cpu?.nodes} of them)`);
  t.ok((placement.totals.gpu?.nodes ?? 0) > 100, `${engine}: the rest runs on the GPU (${placement.totals.gpu?.nodes} nodes)`);
  t.equal(placement.subnets.length, (placement.totals.gpu?.subnets ?? 0) + (placement.totals.cpu?.subnets ?? 0));
  for (let i = 1; i < placement.subnets.length; i++) {
    const s = placement.subnets[i]!;
    if (s.unit === placement.subnets[i - 1]!.unit) return void t.fail(`${engine}: subnets ${i - 1} and ${i} are on the same unit`);
    if (!s.copiesIn.every((c) => c.to === s.unit && c.from !== s.unit && c.bytes > 0)) return void t.fail(`${engine}: subnet ${i}'s copies do not come in from another unit`);
  }
  t.ok(cpu.every((s) => s.copiesIn.length > 0), `${engine}: every CPU subnet starts with a copy from the GPU`);
  t.same(Object.keys(placement.measuredWith), ['x'], `${engine}: the shapes of the measured inference are given`);
  t.equal(placement.totals.cpu?.bytesIn, cpu.reduce((n, s) => n + s.copiesIn.reduce((m, c) => m + c.bytes, 0), 0), `${engine}: bytes total per unit`);
}

t.test("cls on ['gpu', 'cpu'] equals the CPU provider within 1e-4, in this process and in a child, Clip on the CPU", { skip }, async (t) => {
  const input = pseudoImage(SHAPE, 7);
  const reference = await ort.InferenceSession.create(CLS_MODEL, { intraOpNumThreads: 1 });
  const name = reference.inputNames[0]!;
  const expected = Object.values(await reference.run({ [name]: new ort.Tensor('float32', input.slice(), SHAPE) }))[0]!.data as Float32Array;
  await reference.release();

  for (const isolation of ISOLATIONS) {
    const session = new Session(CLS_MODEL, { compute_unit: ['gpu', 'cpu'], isolation });
    t.teardown(() => session.close());
    const out = await session.run({ [name]: { data: input.slice(), shape: SHAPE } });
    t.equal(session.engine, engineFor(isolation), `${isolation}: the ${engineFor(isolation)} engine runs it`);
    const got = Object.values(out)[0]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    t.ok(worst <= 1e-4, `${isolation} (${session.engine}): worst absolute difference ${worst.toExponential(2)} <= 1e-4`);
    const optimization = (readManifestSync(join(session.graph!.programDir!, 'programqpc.bin')).manifest.graphs[0]!.report as CompileReport).optimization;
    t.same(optimization.computeUnits, ['gpu', 'cpu'], 'the program records its units');
    t.equal(optimization.level, 'basic', 'and was saved at the provider-independent level');
    t.equal(session.graph!.sessionOptions.graphOptimizationLevel, 'all', 'onnxruntime finishes it at load for the providers in use');
    checkClipFallback(t, session.placement, `${isolation} (${session.engine})`);
    await session.close();
  }
});

t.test('compute_unit_for_nodes moves nodes to the CPU, and the report shows it', { skip }, async (t) => {
  const session = new Session(CLS_MODEL, { compute_unit: 'gpu,cpu', compute_unit_for_nodes: { cpu: ['GlobalAveragePool'] } });
  t.teardown(() => session.close());
  await session.setup();
  t.equal(session.engine, engineFor('thread'));
  const ops = new Set(session.placement!.subnets.filter((s) => s.unit === 'cpu').flatMap((s) => s.nodes.map((n) => n.op)));
  t.same([...ops].sort(), ['Clip', 'GlobalAveragePool'], 'the forced operator type joins the Clip fallback on the CPU');
  t.notOk(session.placement!.subnets.some((s) => s.unit === 'gpu' && s.nodes.some((n) => n.op === 'GlobalAveragePool')), 'and none is left on the GPU');
});

t.test("a mandatory 'gpu' (no cpu listed) with nodes only the CPU runs is refused naming them", { skip }, async (t) => {
  const session = new Session(CLS_MODEL, { compute_unit: 'gpu' });
  t.teardown(() => session.close());
  await t.rejects(session.setup(), { code: 'QAIC_COMPUTE_UNIT_UNAVAILABLE', message: /option 'compute_unit' \(gpu\) lists no 'cpu', so its units are mandatory, and \d+ node\(s\) only the CPU runs: p2o\.Clip\.0 \(Clip\)/ });
  t.equal(session.state, 'created', 'the session is left usable');
  t.equal(session.placement, undefined);
  t.equal(session.engine, undefined, 'no engine runs it');
});

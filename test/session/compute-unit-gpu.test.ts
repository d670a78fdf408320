import t from 'tap';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { readManifestSync } from '../../lib/program/open.js';
import type { CompileReport } from '../../lib/compiler/report.js';
import { CLS_MODEL } from '../fixtures/models.js';
import { pseudoImage } from '../fixtures/images.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';

// PP-OCR cls (the smallest PP-OCR model: its shaders compile fastest on a software Vulkan device) on ['gpu', 'cpu'],
// in a worker thread and in a child process, against plain onnxruntime on the CPU. Fails in CI without an adapter.
const SHAPE = [1, 3, 48, 192];

t.test("cls on ['gpu', 'cpu'] equals the CPU provider within 1e-4, in both activation engines", { skip: await skipWithoutGpu(t) }, async (t) => {
  const input = pseudoImage(SHAPE, 7);
  const reference = await ort.InferenceSession.create(CLS_MODEL, { intraOpNumThreads: 1 });
  const name = reference.inputNames[0]!;
  const expected = Object.values(await reference.run({ [name]: new ort.Tensor('float32', input.slice(), SHAPE) }))[0]!.data as Float32Array;
  await reference.release();

  for (const isolation of ['thread', 'process'] as const) {
    const session = new Session(CLS_MODEL, { compute_unit: ['gpu', 'cpu'], isolation });
    t.teardown(() => session.close());
    const out = await session.run({ [name]: { data: input.slice(), shape: SHAPE } });
    const got = Object.values(out)[0]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    t.ok(worst <= 1e-4, `${isolation}: worst absolute difference ${worst.toExponential(2)} <= 1e-4`);
    const optimization = (readManifestSync(join(session.graph!.programDir!, 'programqpc.bin')).manifest.graphs[0]!.report as CompileReport).optimization;
    t.same(optimization.computeUnits, ['gpu', 'cpu'], 'the program records its units');
    t.equal(optimization.level, 'basic', 'and was saved at the provider-independent level');
    t.equal(session.graph!.sessionOptions.graphOptimizationLevel, 'all', 'onnxruntime finishes it at load for the providers in use');
    await session.close();
  }
});

import t from 'tap';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { openProgram } from '../../lib/program/index.js';
import { DET_MODEL } from '../fixtures/models.js';
import { pseudoImage as image } from '../fixtures/images.js';
import { tempDir } from '../program/helpers.js';

/** The landscape and portrait shapes of PP-OCRv4 det (batch, height, width symbols of paddle2onnx). */
const DET_SPECIALIZATIONS = [
  { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 },
  { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 384, 'p2o.DynamicDimension.2': 256 },
];

/** The issue asks for 200 mixed inputs; the benchmark (benchmarks/specializations-memory.ts) runs 200, this test fewer. */
const RUNS = Number(process.env.QAIC_SPECIALIZATION_RUNS ?? 40);

t.test('PP-OCRv4 det, landscape + portrait in one program: one Session with 2 activations matches onnxruntime on a mix', async (t) => {
  const root = tempDir(t);
  const compiled = await compile(DET_MODEL, { specializations: DET_SPECIALIZATIONS, output_dir: join(root, 'det') });
  const program = await openProgram(compiled.programDir);
  t.same(program.graphs.map((g) => g.name), ['1x256x384', '1x384x256']);
  t.equal(compiled.report.specializations?.length, 2);

  const session = new Session(compiled.programDir, { num_activations: 2, allow_oversubscription: true });
  t.teardown(() => session.close());
  t.same(session.allowedShapes.map((a) => a.inputs.x), [[1, 3, 256, 384], [1, 3, 384, 256]]);
  const reference = await ort.InferenceSession.create(DET_MODEL, { intraOpNumThreads: 1 });
  t.teardown(() => reference.release());

  const inputs = Array.from({ length: RUNS }, (_, i) => ({ dims: i % 2 === 0 ? [1, 3, 256, 384] : [1, 3, 384, 256], data: image([3, 256, 384], i + 1) }));
  // all in flight at once, interleaved: both activations serve both graphs
  const outputs = await Promise.all(inputs.map((input) => session.run({ x: { data: input.data.slice(), shape: input.dims } })));
  let worst = 0;
  for (const [i, input] of inputs.entries()) {
    const expected = (await reference.run({ x: new ort.Tensor('float32', input.data, input.dims) }))[reference.outputNames[0]!]!;
    const got = outputs[i]![reference.outputNames[0]!]!;
    t.same(got.shape, [...expected.dims], `run ${i}: ${input.dims.join('x')} output shape`);
    const a = got.data as Float32Array;
    const b = expected.data as Float32Array;
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / Math.max(Math.abs(b[k]!), 1));
  }
  t.ok(worst <= 1e-5, `every output equals plain onnxruntime-node's within 1e-5 relative (worst ${worst.toExponential(2)})`);
  const pool = session._pool!;
  t.ok(pool.activations.every((a) => a.completed > 0), 'both activations served');
});

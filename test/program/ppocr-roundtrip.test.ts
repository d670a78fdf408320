import t from 'tap';
import { Session } from '../../lib/session.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { CLS, DET, REC, lcgFloats, maxAbsDiff, provenanceOf, rawGraph, reference, tempDir } from './helpers.js';

// The three real PP-OCRv4 models in one program (stored raw, as the compiler's output will be stored), each graph
// run through a Session and compared with plain onnxruntime-node on the original file.
const CASES = [
  { name: 'det', path: DET, dims: [1, 3, 256, 384] },
  { name: 'rec', path: REC, dims: [1, 3, 48, 320] },
  { name: 'cls', path: CLS, dims: [1, 3, 48, 192] },
];

t.test('PP-OCRv4 det, rec and cls stored in one program give the outputs of plain onnxruntime-node', async (t) => {
  const dir = tempDir(t);
  const written = await writeProgram(dir, CASES.map((c) => rawGraph(c.path, c.name)), provenanceOf(DET, REC, CLS));
  t.equal(written.sharedWeights, 0, 'three different models share no weights');
  t.ok(written.weightCount > 100, `weights moved to the weight section (${written.weightCount})`);

  const program = await openProgram(`${dir}/programqpc.bin`);
  t.same(program.graphs.map((g) => g.name), ['det', 'rec', 'cls']);
  t.equal(program.provenance.sources.length, 3);
  t.match(program.onnxruntimeVersion, /^\d+\.\d+\.\d+/);
  t.equal(program.weightBytes, written.weightBytes);

  for (const c of CASES) {
    const data = lcgFloats(c.dims.reduce((a, b) => a * b, 1), 7);
    const expected = await reference(c.path, { x: { data, dims: c.dims } });
    // the folder and the programqpc.bin path both name the program
    const session = new Session(c.name === 'rec' ? `${dir}/programqpc.bin` : dir, { graph: c.name });
    try {
      const out = await session.run({ x: { data: data.slice(), shape: c.dims } });
      t.equal(session.graph?.name, c.name, `the session runs graph '${c.name}'`);
      t.match(session.graph?.modelPath, /programqpc\.\w+\.onnx$/, 'activations load the program graph, not the source ONNX');
      for (const [name, want] of Object.entries(expected)) {
        const got = out[name]!.data as Float32Array;
        t.equal(got.length, want.length, `${c.name} ${name}: same length`);
        t.ok(maxAbsDiff(got, want) <= 1e-6, `${c.name} ${name}: max abs diff ${maxAbsDiff(got, want)} vs plain onnxruntime-node`);
      }
    } finally {
      await session.close();
    }
  }
});

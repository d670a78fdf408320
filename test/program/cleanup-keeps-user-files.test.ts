import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelIO } from '../../lib/onnx/model.js';
import { writeProgram } from '../../lib/program/write.js';
import { matmulModel, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

t.test("replacing a program removes the old program's graph files only, never a user's own programqpc.*.onnx", async (t) => {
  const dir = join(tempDir(t), 'prog');
  const m = matmulModel();
  const io = modelIO(m);
  const g = (name: string) => ({ name, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] });
  await writeProgram(dir, [g('a'), g('b')], { sources: [], compileOptions: {} });
  writeFileSync(join(dir, 'programqpc.mine.onnx'), 'the user\'s own file');
  await writeMatmulProgram(dir);
  t.equal(readFileSync(join(dir, 'programqpc.mine.onnx'), 'utf8'), 'the user\'s own file', "the user's file is kept");
  t.equal(existsSync(join(dir, 'programqpc.a.onnx')), false, "the replaced program's graph file 'a' is removed");
  t.equal(existsSync(join(dir, 'programqpc.b.onnx')), false, "and 'b'");
  t.equal(existsSync(join(dir, 'programqpc.main.onnx')), true, "the new program's graph file is there");
});

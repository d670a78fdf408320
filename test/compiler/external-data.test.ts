import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { Session } from '../../lib/session.js';
import { tempDir } from '../program/helpers.js';

function externalModel(location: string) {
  return model(graph({
    nodes: [node('MatMul', ['x', 'w'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['N', 3])],
    outputs: [tensorInfo('y', 'float32', ['N', 2])],
    initializers: [{
      name: 'w', dims: [3, 2], data_type: 1, data_location: 1,
      external_data: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: '24' }],
    }],
  }));
}

t.test('a model with external data compiles, and its program runs without the data file', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'model'));
  const path = join(dir, 'model', 'mm.onnx');
  writeFileSync(join(dir, 'model', 'weights.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
  writeFileSync(path, encodeModel(externalModel('weights.bin')));
  const { programPath, report } = await compile(path, { output_dir: join(dir, 'qpc'), onnx_define_symbol: { N: 1 } });
  t.same(report.parameters, { count: 6, bytes: 24, tensors: 1 });
  t.same(report.macs.byOperator, { MatMul: 6 });
  const s = new Session(programPath);
  t.teardown(() => s.close());
  const out = await s.run({ x: new Float32Array([1, 1, 1]) });
  t.same([...(out.y!.data as Float32Array)], [9, 12]);
});

t.test('a missing external data file is named', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'mm.onnx');
  writeFileSync(path, encodeModel(externalModel('missing.bin')));
  await t.rejects(compile(path, { output_dir: join(dir, 'qpc') }), { code: 'QAIC_FILE_NOT_FOUND', message: /keeps weights in 'missing.bin'/ });
});

t.test('external data outside the model folder is refused', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'mm.onnx');
  writeFileSync(path, encodeModel(externalModel('../elsewhere.bin')));
  await t.rejects(compile(path, { output_dir: join(dir, 'qpc') }), { code: 'QAIC_MODEL_INVALID', message: /outside the model's folder/ });
});

t.test('a changed external data file recompiles', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'mm.onnx');
  const weights = join(dir, 'weights.bin');
  writeFileSync(weights, new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
  writeFileSync(path, encodeModel(externalModel('weights.bin')));
  const options = { output_dir: join(dir, 'qpc'), onnx_define_symbol: { N: 1 } };
  t.equal((await compile(path, options)).cached, false);
  t.equal((await compile(path, options)).cached, true, 'unchanged: reused');
  writeFileSync(weights, new Uint8Array(new Float32Array([2, 2, 3, 4, 5, 6, 7]).buffer).subarray(0, 24));
  t.equal((await compile(path, options)).cached, false, 'data file rewritten: recompiled');
});

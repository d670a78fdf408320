import t from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { compile, compileCount } from '../../lib/compiler/compile.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { Session } from '../../lib/session.js';
import { tempDir } from '../program/helpers.js';

function scaleModel(factor: number) {
  return model(graph({
    nodes: [node('Mul', ['x', 'k'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['N', 4])],
    outputs: [tensorInfo('y', 'float32', ['N', 4])],
    initializers: [initializer('k', 'float32', [4], new Float32Array(4).fill(factor))],
  }));
}

async function runOnce(path: string, options: Record<string, unknown>): Promise<Float32Array> {
  const s = new Session(path, options);
  try {
    const out = await s.run({ x: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).subarray(0, 4 * Number((options.onnx_define_symbol as Record<string, number>).N)) });
    return out.y!.data as Float32Array;
  } finally {
    await s.close();
  }
}

t.test('no output_dir: an unchanged model with unchanged options is compiled once; a changed option or model recompiles', async (t) => {
  const dir = tempDir(t);
  process.env.QAIC_CACHE_DIR = join(dir, 'cache');
  const path = join(dir, 'scale.onnx');
  writeFileSync(path, encodeModel(scaleModel(2)));
  const before = compileCount();
  t.same([...await runOnce(path, { onnx_define_symbol: { N: 1 } })], [2, 4, 6, 8]);
  t.equal(compileCount(), before + 1, 'first session compiled');
  t.same([...await runOnce(path, { onnx_define_symbol: { N: 1 }, set_size: 3 })], [2, 4, 6, 8]);
  t.equal(compileCount(), before + 1, 'same model and compile options (runtime option changed): cache hit');
  t.same([...await runOnce(path, { onnx_define_symbol: { N: 2 } })], [2, 4, 6, 8, 10, 12, 14, 16]);
  t.equal(compileCount(), before + 2, 'changed onnx_define_symbol: recompiled');
  writeFileSync(path, encodeModel(scaleModel(3)));
  t.same([...await runOnce(path, { onnx_define_symbol: { N: 1 } })], [3, 6, 9, 12], 'the changed model is what runs');
  t.equal(compileCount(), before + 3, 'changed model content: recompiled');
});

t.test('output_dir: compiles there, writes options.yaml, reuses the program (same mtime), and options.yaml loads again', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'scale.onnx');
  writeFileSync(path, encodeModel(scaleModel(2)));
  const out = join(dir, 'qpc');
  const before = compileCount();
  await runOnce(path, { output_dir: out, onnx_define_symbol: { N: 1 }, mos: 2 });
  const program = join(out, 'programqpc.bin');
  const mtime = statSync(program).mtimeMs;
  const yaml = load(readFileSync(join(out, 'options.yaml'), 'utf8')) as Record<string, unknown>;
  t.same(yaml.onnx_define_symbol, { N: 1 });
  t.equal(yaml.mos, 2, 'no-effect flags are kept');
  t.equal(yaml.output_dir, out);
  await runOnce(path, { output_dir: out, onnx_define_symbol: { N: 1 } });
  t.equal(compileCount(), before + 1, 'second session reused the program');
  t.equal(statSync(program).mtimeMs, mtime, 'programqpc.bin untouched');
  // the Python API's reuse pattern: Session(<dir>/programqpc.bin, options_path=<dir>/options.yaml)
  const s = new Session(program, { options_path: join(out, 'options.yaml') });
  t.teardown(() => s.close());
  const y = await s.run({ x: new Float32Array([1, 1, 1, 1]) });
  t.same([...(y.y!.data as Float32Array)], [2, 2, 2, 2]);
});

t.test('compile: false loads the ONNX file directly, compiling nothing', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'scale.onnx');
  writeFileSync(path, encodeModel(scaleModel(5)));
  const before = compileCount();
  const s = new Session(path, { compile: false });
  t.teardown(() => s.close());
  const y = await s.run({ x: { data: new Float32Array([1, 1, 1, 1]), shape: [1, 4] } });
  t.same([...(y.y!.data as Float32Array)], [5, 5, 5, 5]);
  t.equal(compileCount(), before);
});

t.test('two concurrent compiles of one model with the same options share one build', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'scale.onnx');
  writeFileSync(path, encodeModel(scaleModel(2)));
  const before = compileCount();
  const options = { output_dir: join(dir, 'qpc'), onnx_define_symbol: { N: 1 } };
  const [a, b] = await Promise.all([compile(path, options), compile(path, options)]);
  t.equal(compileCount(), before + 1);
  t.same([a.cached, b.cached].sort(), [false, true]);
  t.equal(a.key, b.key);
});

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { int8Accuracy } from '../../../lib/compiler/quant/accuracy.js';
import { defaultKeepStem } from '../../../lib/compiler/quant/compile-int8.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { KEEP_STEM_PER_NODES } from '../../../lib/options.js';
import { calibratedTemp, cnnInputs, lcg, smallCnn } from './helpers.js';

// keep_stem_nodes keeps the first quantized nodes in float (reason 'stem', listed with their predicted error);
// by default one per 15 nodes the pass would quantize (the stem, which measured worst on PP-OCRv4 det), so a small
// model keeps none and 0 turns it off; a bad count is refused by name.

/** A chain of `n` Conv 4->4 3x3 + Relu on x [1, 4, 8, 8]: `n` quantizable nodes, conv0 reading the graph input. */
function convChain(n: number) {
  const nodes = [];
  const initializers = [];
  let x = 'x';
  for (let i = 0; i < n; i++) {
    nodes.push(node('Conv', [x, `w${i}`, `b${i}`], [`c${i}`], { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } }, { name: `conv${i}` }));
    nodes.push(node('Relu', [`c${i}`], [`r${i}`], {}, { name: `relu${i}` }));
    initializers.push(initializer(`w${i}`, 'float32', [4, 4, 3, 3], lcg(4 * 4 * 9, 0.6, 10 + i)), initializer(`b${i}`, 'float32', [4], lcg(4, 0.1, 100 + i)));
    x = `r${i}`;
  }
  nodes.push(node('Identity', [x], ['y'], {}, { name: 'out' }));
  return model(graph({ nodes, inputs: [tensorInfo('x', 'float32', [1, 4, 8, 8])], outputs: [tensorInfo('y', 'float32', [1, 4, 8, 8])], initializers }), { opset: 13 });
}

t.test('the default count: one kept per 15 quantized nodes, rounded down', async (t) => {
  t.equal(KEEP_STEM_PER_NODES, 15);
  t.equal(defaultKeepStem({}), 0);
  t.equal(defaultKeepStem({ Conv: 14 }), 0, 'under 15: none');
  t.equal(defaultKeepStem({ Conv: 15 }), 1);
  t.equal(defaultKeepStem({ Conv: 62 }), 4, 'PP-OCRv4 det: 62 Conv -> its first 4');
  t.equal(defaultKeepStem({ Conv: 38, MatMul: 13 }), 3, 'PP-OCRv4 rec: 51 nodes of two types -> 3');
});

t.test('by default a 31-conv chain keeps its stem (conv0-conv1, reason stem) in float; keep_stem_nodes: 0 keeps none', async (t) => {
  const inputs = Array.from({ length: 4 }, (_, i) => ({ x: { data: lcg(4 * 8 * 8, 2, 1 + i), shape: [1, 4, 8, 8] } }));
  const { file, profile } = await calibratedTemp(t, convChain(31), inputs);
  const dir = mkdtempSync(join(tmpdir(), 'qaic-keep-stem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const byDefault = await compile(file, { load_profile: profile, output_dir: join(dir, 'default') });
  const q = byDefault.report.quantization!;
  t.same(q.keptStem.map((k) => k.node), ['conv0', 'conv1'], 'floor(31 / 15) = 2: the first two in graph order, conv0 reading the graph input');
  t.same(q.keptStem.map((k) => k.readsInput), [true, false]);
  t.same(q.keptFloat.filter((k) => k.reason === 'stem').map((k) => k.node), ['conv0', 'conv1'], "reported kept, reason 'stem'");
  t.equal(q.quantizedNodes['Conv'], 29, 'the other 29 are quantized');
  t.equal(q.int8Kernels['QLinearConv'], 29, 'and fused into QLinearConv');
  const off = await compile(file, { load_profile: profile, keep_stem_nodes: 0, output_dir: join(dir, 'off') });
  const o = off.report.quantization!;
  t.same(o.keptStem, [], 'keep_stem_nodes: 0 keeps none');
  t.same(o.keptFloat, [], 'nothing kept float');
  t.equal(o.quantizedNodes['Conv'], 31, 'every Conv quantized, as the SDK does');
  t.equal(o.int8Kernels['QLinearConv'], 31);
  t.not(off.key, byDefault.key, 'turning the default off changes the compile key');
  const acc = await int8Accuracy(file, { load_profile: profile }, { inputs: [{ x: { data: lcg(4 * 8 * 8, 2, 50), shape: [1, 4, 8, 8] } }], worstNodes: 0 });
  t.same(acc.keptStem, ['conv0', 'conv1'], 'int8Accuracy names the nodes the default kept');
  t.equal(acc.nodesMeasured, 29, 'and measures only the quantized ones');
  const explicit = await compile(file, { load_profile: profile, keep_stem_nodes: 2, output_dir: join(dir, 'two') });
  t.same(explicit.report.quantization!.keptStem.map((k) => k.node), ['conv0', 'conv1'], 'the same nodes as an explicit keep_stem_nodes: 2');
});

t.test('keep_stem_nodes: 1 keeps the stem Conv in float; the default keeps none of 3 nodes', async (t) => {
  const { file, profile } = await calibratedTemp(t, smallCnn(), cnnInputs(4, 1));
  const dir = mkdtempSync(join(tmpdir(), 'qaic-keep-stem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const one = await compile(file, { load_profile: profile, keep_stem_nodes: 1, output_dir: join(dir, 'one') });
  const q = one.report.quantization!;
  t.same(q.keptStem.map((k) => k.node), ['conv1']);
  t.ok(q.keptStem[0]!.estimate > 0, 'with the error the profile predicted');
  t.ok(q.keptFloat.some((k) => k.node === 'conv1' && k.reason === 'stem'), "conv1 kept float, reason 'stem'");
  t.equal(q.int8Kernels['QLinearConv'], 1, 'only conv2 runs as QLinearConv');
  const byDefault = await compile(file, { load_profile: profile, output_dir: join(dir, 'default') });
  t.same(byDefault.report.quantization!.keptStem, [], 'a 3-node model keeps none by default (under 15 nodes)');
  t.equal(byDefault.report.quantization!.int8Kernels['QLinearConv'], 2);
  t.not(one.key, byDefault.key, 'the count is part of the compile key');
  await t.rejects(compile(file, { load_profile: profile, keep_stem_nodes: -1 } as never), { code: 'QAIC_INVALID_OPTION', message: /keep_stem_nodes/ });
});

import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCR_MODELS_DIR } from '../../fixtures/models.js';
import { Session } from '../../../lib/session.js';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';

// onnxruntime's int8 kernels are opset-10 operators: an opset-9 model (PP-OCRv4 cls) is raised to opset 10, its
// Slice attributes becoming inputs; one that cannot be raised (an operator whose meaning changed at 10, or opset < 9)
// stays float32 as a whole, with the reason in the report.

const assets = OCR_MODELS_DIR;
const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };
const image = (seed: number) => ({ x: Float32Array.from({ length: 3 * 48 * 192 }, (_, k) => Math.sin(k * 0.37 + seed)) });

t.test('PP-OCRv4 cls (opset 9, with a Slice) compiles to int8 kernels and keeps its top-1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-cls-'));
  const cls = join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const profile = join(dir, 'cls.json');
  await calibrate(cls, [1, 2, 3, 4, 5, 6].map(image), { onnx_define_symbol: symbols, dump_profile: profile });
  const int8 = await compile(cls, { onnx_define_symbol: symbols, load_profile: profile, output_dir: join(dir, 'int8') });
  const q = int8.report.quantization!;
  t.equal(q.opsetRaised, true, 'opset 9 raised to 10');
  t.ok((q.int8Kernels['QLinearConv'] ?? 0) > 40, `the convolutions run as QLinearConv (${q.int8Kernels['QLinearConv']})`);
  t.ok(q.weights.bytesAfter < 0.3 * q.weights.bytesBefore, 'int8 weights under 0.3x their float32 bytes');
  const a = new Session(cls, { onnx_define_symbol: symbols, output_dir: join(dir, 'float') });
  const b = new Session(int8.programPath);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  for (const seed of [11, 12, 13]) {
    const ya = Object.values(await a.run(image(seed)))[0]!.data as Float32Array;
    const yb = Object.values(await b.run(image(seed)))[0]!.data as Float32Array;
    t.equal(ya[0]! > ya[1]!, yb[0]! > yb[1]!, `the same top-1 class (${ya[0]!.toFixed(3)} vs ${yb[0]!.toFixed(3)})`);
    t.ok(Math.abs(ya[0]! - yb[0]!) < 0.05, 'class scores within 0.05');
  }
});

t.test('a model that cannot be raised to opset 10 (an operator that changed meaning, or opset < 9) stays float32, with the reason', async (t) => {
  const m = model(graph({
    nodes: [node('Upsample', ['x', 's'], ['y'], { mode: { s: 'nearest' } }, { name: 'up' })],
    inputs: [tensorInfo('x', 'float32', [1, 1, 2, 2]), tensorInfo('s', 'float32', [4])],
    outputs: [tensorInfo('y', 'float32', [1, 1, 4, 4])],
  }), { opset: 9 });
  const kept = quantizeGraph(m, { ranges: new Map() });
  t.match(kept.report.notQuantized, /'up' \(Upsample\) changed meaning at opset 10/);
  t.same(kept.model, m, 'the model is not changed (its Upsample keeps its opset-9 meaning)');
  t.equal(kept.report.opsetRaised, false);

  const ranges = new Map([['x', { min: -1, max: 1 }], ['c', { min: -2, max: 2 }], ['y', { min: -2, max: 2 }]]);
  const opset6 = (second: string) => model(graph({
    nodes: [node('Conv', ['x', 'w'], ['c'], {}, { name: 'conv' }), node(second, ['c', 'c'], ['y'], {}, { name: 'second' })],
    inputs: [tensorInfo('x', 'float32', [1, 1, 3, 3])],
    outputs: [tensorInfo('y', 'float32', [1, 2, 3, 3])],
    initializers: [initializer('w', 'float32', [1, 1, 1, 1], Float32Array.of(2))],
  }), { opset: 6 });
  const withAdd = opset6('Add');
  const r = quantizeGraph(withAdd, { ranges });
  t.same(r.report.keptFloat, [{ node: 'conv', op: 'Conv', reason: 'opset' }, { node: 'second', op: 'Add', reason: 'opset' }], 'an opset-6 Add (its broadcasting changed at 7) keeps the model float32');
  t.match(r.report.notQuantized, /opset 6, and node 'second' \(Add\) may mean something else at opset 10/);
  t.same(r.model, withAdd);
  const withConcat = quantizeGraph(opset6('Concat'), { ranges });
  t.equal(withConcat.report.opsetRaised, true, 'an opset-6 model of operators that mean the same at 10 is raised');
  t.equal(withConcat.report.quantizedNodes['Conv'], 1, 'and its Conv quantized');

  // IR version 3 lists each initializer among the graph inputs too: the replaced weight must leave both lists
  const ir3 = opset6('Concat');
  ir3.ir_version = 3;
  ir3.graph!.input = [...ir3.graph!.input!, tensorInfo('w', 'float32', [1, 1, 1, 1])];
  t.same(quantizeGraph(ir3, { ranges }).model.graph!.input!.map((i) => i.name), ['x'], 'the float weight is no longer a graph input');
});

import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { formatReport } from '../../lib/compiler/report.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { tempDir } from '../program/helpers.js';

const ones = (n: number): Float32Array => new Float32Array(n).fill(0.5);

/**
 * Five independent branches whose MACs are computed by hand:
 * - Conv x1 [1,3,8,8] * w1 [4,3,3,3], pads 1 -> [1,4,8,8]: 4*8*8 outputs * 3*3*3 = 6912
 * - grouped Conv x2 [1,4,6,6] * w2 [4,2,3,3], group 2 -> [1,4,4,4]: 64 * 2*3*3 = 1152
 * - MatMul a [2,5] x b [5,7] -> [2,7]: 14 * 5 = 70
 * - Gemm g [3,6] x gb [4,6]^T + gc -> [3,4]: 12 * 6 = 72
 * - ConvTranspose xt [1,2,4,4] * wt [2,3,3,3], strides 2 -> [1,3,9,9]: 32 inputs * 3*3*3 = 864
 */
function tinyModel(batch: number | string) {
  return model(graph({
    nodes: [
      node('Conv', ['x1', 'w1'], ['y1'], { pads: { ints: [1, 1, 1, 1] } }),
      node('Conv', ['x2', 'w2'], ['y2'], { group: { i: 2 } }),
      node('MatMul', ['a', 'b'], ['y3']),
      node('Gemm', ['g', 'gb', 'gc'], ['y4'], { transB: { i: 1 } }),
      node('ConvTranspose', ['xt', 'wt'], ['y5'], { strides: { ints: [2, 2] } }),
      node('Relu', ['y1'], ['r1']),
    ],
    inputs: [
      tensorInfo('x1', 'float32', [batch, 3, 8, 8]), tensorInfo('x2', 'float32', [1, 4, 6, 6]), tensorInfo('a', 'float32', [2, 5]),
      tensorInfo('g', 'float32', [3, 6]), tensorInfo('xt', 'float32', [1, 2, 4, 4]),
    ],
    outputs: [
      tensorInfo('r1', 'float32', [batch, 4, 'h', 'w']), tensorInfo('y2', 'float32', null), tensorInfo('y3', 'float32', null),
      tensorInfo('y4', 'float32', null), tensorInfo('y5', 'float32', null),
    ],
    initializers: [
      initializer('w1', 'float32', [4, 3, 3, 3], ones(108)), initializer('w2', 'float32', [4, 2, 3, 3], ones(72)),
      initializer('b', 'float32', [5, 7], ones(35)), initializer('gb', 'float32', [4, 6], ones(24)), initializer('gc', 'float32', [4], ones(4)),
      initializer('wt', 'float32', [2, 3, 3, 3], ones(54)),
    ],
  }), { opset: 17 });
}

t.test('MACs by operator type, parameters, operator counts and static output shapes match hand-computed values', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'tiny.onnx');
  writeFileSync(path, encodeModel(tinyModel('N')));
  const { report } = await compile(path, { output_dir: join(dir, 'out'), batchsize: 1 });
  t.same(report.macs.byOperator, { Conv: 6912 + 1152, MatMul: 70, Gemm: 72, ConvTranspose: 864 });
  t.equal(report.macs.total, 6912 + 1152 + 70 + 72 + 864);
  t.same(report.macs.assumedOne, []);
  t.same(report.parameters, { count: 297, bytes: 297 * 4, tensors: 6 });
  t.same(report.operators, { Conv: 2, ConvTranspose: 1, Gemm: 1, MatMul: 1, Relu: 1 });
  t.same(Object.fromEntries(report.outputs.map((o) => [o.name, o.shape])), {
    r1: [1, 4, 8, 8], y2: [1, 4, 4, 4], y3: [2, 7], y4: [3, 4], y5: [1, 3, 9, 9],
  }, 'output shapes come from the dry run');
  t.same(report.leftSymbolic, [], 'the output symbols the dry run resolved are not reported as left symbolic');
  t.same(report.fixed, [{ symbol: 'N', value: 1, dims: 2, from: 'batchsize' }]);
  t.match(formatReport(report), /MACs per inference: 9\.070 kMAC \(9,070\): Conv 8\.064 kMAC, ConvTranspose 864 MAC, Gemm 72 MAC, MatMul 70 MAC/);
});

t.test('a dim left symbolic is reported, MACs are not counted on made-up dims, and the printout warns', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'tiny.onnx');
  writeFileSync(path, encodeModel(tinyModel('N')));
  const { report } = await compile(path, { output_dir: join(dir, 'out') });
  t.same(report.macs.assumedOne, ['N']);
  t.equal(report.macs.method, 'needs fixed dims');
  t.equal(report.macs.total, 0, 'no total computed for N taken as 1');
  t.same(report.macs.byOperator, {});
  const text = formatReport(report);
  t.match(text, /^MACs per inference: not counted: they depend on the input dims, and N is left symbolic \(fix it to count MACs\)$/m);
  t.notMatch(text, /MACs per inference: \d/, 'no figure printed');
  t.match(text, /^WARNING: the program keeps symbolic input dims x1 axis 0 \(N\)\. .*need fixed dims: fix them with -onnx-define-symbol=N,<value>/m);
  t.same(report.leftSymbolic.filter((l) => l.kind === 'input'), [{ value: 'x1', kind: 'input', axis: 0, symbol: 'N' }]);
  t.same(report.outputs.find((o) => o.name === 'r1')!.shape, ['N', 4, 'h', 'w'], 'declared shape kept when the dry run is not representative');
});

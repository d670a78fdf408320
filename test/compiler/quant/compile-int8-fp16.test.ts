import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { openProgram } from '../../../lib/program/index.js';
import { Session } from '../../../lib/session.js';
import { calibratedTemp, cnnInputs, lcg, relativeL2 } from './helpers.js';

// int8 with convert_to_fp16: the quantized part (Q/DQ and the Convs between them) stays float32 so that onnxruntime
// still fuses it into QLinearConv, and what stays float (a ConvTranspose, which has no int8 kernel, and a Concat, which
// has a float16 one) becomes float16, its weight stored as float16. At opset 11 the Q/DQ nodes are onnxruntime's
// com.microsoft ones (as in PP-OCRv4), whose types the float16 pass must know, or everything after them would stay float32.

/** Conv 8->16, ConvTranspose 16->8 (2x2, stride 2), Concat of it with itself, Conv 16->4. */
function mixedModel(opset: number) {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } }, { name: 'conv1' }),
      node('ConvTranspose', ['c1', 'wt'], ['ct'], { strides: { ints: [2, 2] }, kernel_shape: { ints: [2, 2] } }, { name: 'up' }),
      node('Concat', ['ct', 'ct'], ['cat'], { axis: { i: 1 } }, { name: 'cat' }),
      node('Conv', ['cat', 'w2', 'b2'], ['y'], { kernel_shape: { ints: [1, 1] } }, { name: 'conv2' }),
    ],
    inputs: [tensorInfo('x', 'float32', [1, 8, 16, 16])],
    outputs: [tensorInfo('y', 'float32', [1, 4, 32, 32])],
    initializers: [
      initializer('w1', 'float32', [16, 8, 3, 3], lcg(16 * 8 * 9, 0.5, 1)), initializer('b1', 'float32', [16], lcg(16, 0.1, 2)),
      initializer('wt', 'float32', [16, 8, 2, 2], lcg(16 * 8 * 4, 0.5, 3)),
      initializer('w2', 'float32', [4, 16, 1, 1], lcg(64, 0.5, 4)), initializer('b2', 'float32', [4], lcg(4, 0.1, 5)),
    ],
  }), { opset });
}

for (const opset of [11]) {
  t.test(`opset ${opset}: the float parts become float16, the quantized part still fuses into int8 kernels`, async (t) => {
    const { file, profile } = await calibratedTemp(t, mixedModel(opset), cnnInputs(4, 1));
    const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-fp16-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const int8 = await compile(file, { load_profile: profile, output_dir: join(dir, 'int8') });
    const both = await compile(file, { load_profile: profile, convert_to_fp16: true, output_dir: join(dir, 'both') });
    const q = both.report.quantization!;
    const h = both.report.fp16!;
    t.ok(q !== undefined && h !== undefined, 'the report has both parts');
    t.equal(q.quantizedNodes['Conv'], 2, 'both Convs quantized');
    // conv2 writes the graph output, which gets no QuantizeLinear: onnxruntime runs it as DQ -> Conv, int8 or not
    t.equal(q.int8Kernels['QLinearConv'], 1, 'onnxruntime fused conv1 into QLinearConv, as without float16');
    t.same(q.int8Kernels, int8.report.quantization!.int8Kernels, 'the same int8 kernels as the int8-only program');
    t.same(q.unfusedQdq, int8.report.quantization!.unfusedQdq, 'no Q/DQ pair left unfused that int8 alone fused');
    t.ok(h.keptNodes.some((k) => k.name === 'conv1' && k.reason === 'int8'), 'the quantized Convs are kept float32 by the float16 pass, reason int8');
    t.equal(h.float16Ops['Concat'], 1, 'the Concat between the ConvTranspose and a quantized Conv runs in float16');
    t.equal(h.float32Ops['ConvTranspose'], 1, 'the ConvTranspose (no int8 kernel, no float16 CPU kernel) computes in float32 from float16 weights');
    t.notOk(h.keptNodes.some((k) => k.reason === 'unknown-type'), 'every Q/DQ type is known to the float16 pass');
    const [p8, pBoth] = [await openProgram(int8.programPath), await openProgram(both.programPath)];
    // the ConvTranspose weight, 512 float32 values, is the only float weight of size: stored as float16 it shrinks by 1024 bytes
    t.ok(pBoth.weightBytes <= p8.weightBytes - 1000, `the ConvTranspose weight is stored as float16 (${p8.weightBytes} -> ${pBoth.weightBytes} bytes)`);

    const a = new Session(int8.programPath);
    const b = new Session(both.programPath);
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    for (const input of cnnInputs(2, 100)) {
      const ya = (await a.run({ x: { data: input.x.data.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
      const yb = (await b.run({ x: { data: input.x.data.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
      const err = relativeL2(ya, yb);
      t.ok(err < 0.01, `float16 moved the int8 program's output by little (relative L2 ${err.toFixed(5)})`);
    }
  });
}

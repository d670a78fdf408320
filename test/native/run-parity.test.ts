/**
 * A native activation computes what onnxruntime-node computes, bit for bit, on the real OCR models (same library,
 * same session options), with every output or a chosen one, and reports the stages of each run in order.
 */
import t from 'tap';
import * as ort from 'onnxruntime-node';
import { CLS_MODEL, DET_MODEL } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

function bytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

for (const [name, file, dims] of [['cls', CLS_MODEL, [1, 3, 48, 192]], ['det', DET_MODEL, [1, 3, 64, 96]]] as const) {
  t.test(`${name}: outputs are bit-identical to onnxruntime-node's`, { skip }, async (t) => {
    const options = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' } as const;
    const reference = await ort.InferenceSession.create(file, options);
    const activation = new TestActivation(engineAddon(), file, [...reference.inputNames], options);
    try {
      const ready = await activation.started();
      t.equal(ready.type, 'ready', 'the model loads');
      const size = dims.reduce((a: number, b: number) => a * b, 1);
      for (let seed = 1; seed <= 2; seed++) {
        const x = new Float32Array(size);
        for (let i = 0; i < size; i++) x[i] = Math.sin(i * seed) * 0.5;
        const expected = await reference.run({ [reference.inputNames[0]!]: new ort.Tensor('float32', x, [...dims]) });
        const got = await activation.run([{ type: 'float32', dims: [...dims], data: x }]);
        t.equal(got.type, 'result', `input ${seed}: a result`);
        if (got.type !== 'result') continue;
        t.same(Object.keys(got.outputs), reference.outputNames, 'every output, by name');
        for (const out of reference.outputNames) {
          const e = expected[out]!;
          const g = got.outputs[out]!;
          t.equal(g.type, e.type, `${out}: dtype`);
          t.same(g.dims, e.dims, `${out}: dims`);
          t.ok(g.data instanceof Float32Array, `${out}: a Float32Array`);
          t.ok(bytes(g.data as Float32Array).equals(bytes(e.data as Float32Array)), `${out}: the same bits`);
        }
        const { received, runStart, runEnd, posted } = got.times;
        t.ok(received <= runStart && runStart <= runEnd && runEnd <= posted, 'stage timestamps are in order');
      }
      const chosen = await activation.run([{ type: 'float32', dims: [...dims], data: new Float32Array(size) }], { outputs: [reference.outputNames[0]!] });
      t.equal(chosen.type, 'result');
      if (chosen.type === 'result') t.same(Object.keys(chosen.outputs), [reference.outputNames[0]], 'a chosen output only');
      const unknown = await activation.run([{ type: 'float32', dims: [...dims], data: new Float32Array(size) }], { outputs: ['no_such_output'] });
      t.equal(unknown.type, 'run-failed', 'EXPECTED FAILURE - an unknown output name fails the run');
      if (unknown.type === 'run-failed') {
        t.match(unknown.message, /^onnxruntime: .*no_such_output.* \(ORT_/, "with onnxruntime's message and code name");
        t.equal(unknown.canceled, false);
        t.type(unknown.ortCode, 'number');
      }
    } finally {
      const exit = await activation.close();
      t.same(exit, { type: 'exit', code: 0 }, 'close() ends the thread');
      await reference.release();
    }
  });
}

t.test('EXPECTED FAILURE - a model that does not load gives load-failed naming the file', { skip }, async (t) => {
  const missing = `${t.testdir()}/missing.onnx`;
  const activation = new TestActivation(engineAddon(), missing, ['x']);
  const event = await activation.started();
  t.equal(event.type, 'load-failed');
  if (event.type === 'load-failed') {
    t.match(event.message, missing);
    t.type(event.ortCode, 'number');
  }
  await activation.close();
});

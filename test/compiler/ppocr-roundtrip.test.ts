import t from 'tap';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compile } from '../../lib/compiler/compile.js';
import { Session } from '../../lib/session.js';
import { CLS_MODEL, DET_MODEL, REC_MODEL } from '../fixtures/models.js';
import { lcgFloats, tempDir } from '../program/helpers.js';

// Relative differences are taken against max(|expected|, 1e-3): for probabilities near 0 (softmax tails) a relative
// error says nothing about agreement.

const cases = [
  { name: 'det', path: DET_MODEL, shape: [1, 3, 256, 384] },
  { name: 'rec', path: REC_MODEL, shape: [1, 3, 48, 320] },
  { name: 'cls', path: CLS_MODEL, shape: [1, 3, 48, 192] },
];

for (const c of cases) {
  t.test(`PP-OCRv4 ${c.name}: the compiled program's outputs equal plain onnxruntime-node's within 1e-5 relative`, async (t) => {
    const raw = await ort.InferenceSession.create(c.path, { intraOpNumThreads: 1 });
    const inputName = raw.inputNames[0]!;
    const declared = raw.inputMetadata[0] as { shape?: Array<number | string> };
    const symbols: Record<string, number> = {};
    (declared.shape ?? []).forEach((d, i) => {
      if (typeof d === 'string') symbols[d] = c.shape[i]!;
    });
    const dir = tempDir(t);
    const { programPath, report } = await compile(c.path, { output_dir: join(dir, 'program'), onnx_define_symbol: symbols });
    t.same(report.inputs[0]!.shape, c.shape, 'input fixed');
    t.ok(report.outputs.every((o) => o.shape?.every((d) => typeof d === 'number')), 'static output shapes recorded');
    t.ok(report.macs.total > 0 && (report.macs.byOperator.Conv ?? 0) > 0, 'MACs counted');

    const x = lcgFloats(c.shape.reduce((p, d) => p * d, 1), 7);
    const expected = await raw.run({ [inputName]: new ort.Tensor('float32', x.slice(), c.shape) });
    await raw.release();
    const session = new Session(programPath, { num_activations: 1 });
    t.teardown(() => session.close());
    const out = await session.run({ [inputName]: { data: x.slice(), shape: c.shape } });
    for (const [name, e] of Object.entries(expected)) {
      const actual = out[name]!;
      t.same(actual.shape, [...e.dims], `${name} shape`);
      t.same(report.outputs.find((o) => o.name === name)!.shape, [...e.dims], `${name} recorded shape`);
      const a = actual.data as Float32Array;
      const b = e.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-3));
      t.ok(worst <= 1e-5, `${name}: worst relative difference ${worst.toExponential(2)} <= 1e-5`);
    }
  });
}

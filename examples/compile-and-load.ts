/**
 * Compile once, load the program many times: `compile()` fixes the detector's symbolic dimensions, runs
 * onnxruntime's graph optimizations ahead of time and writes a program folder (`programqpc.bin` + `options.yaml`),
 * like `qaic-exec -m=det.onnx -aic-binary-dir=...`. Sessions then open the folder without compiling. The example
 * checks that a second compile is a cache hit and that the program computes what the original model computes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, compile } from 'qaic';
import { check, detectionContrast, ocrModel, textPage } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-compile-'));
const programDir = join(dir, 'det-256x384');
const symbols = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 };
try {
  const first = await compile(ocrModel('det'), { onnx_define_symbol: symbols, output_dir: programDir });
  const r = first.report;
  console.log(`compiled in ${r.timings.totalMs.toFixed(0)} ms: ${r.nodes} nodes -> ${r.optimizedNodes} after optimization, ` +
    `${(r.macs as { total?: number }).total ?? '?'} MACs, program ${first.programPath}`);
  check(r.inputs[0]!.shape?.join('x') === '1x3x256x384', 'the program has the fixed input shape 1x3x256x384');
  const again = await compile(ocrModel('det'), { onnx_define_symbol: symbols, output_dir: programDir });
  check(again.cached, 'compiling the same model with the same options again reuses the program');

  const page = textPage(256, 384);
  const program = new Session(programDir);
  const model = new Session(ocrModel('det'), { compile: false });
  try {
    check(program.modelInputShapeDict.x![0].join('x') === '1x3x256x384', 'a session on the program folder sees the fixed shape before activation');
    await Promise.all([program.setup(), model.setup()]);
    const [fromProgram, fromModel] = await Promise.all([
      program.run({ x: page.input.slice() }),
      model.run({ x: { data: page.input.slice(), shape: page.shape } }),
    ]);
    const a = fromProgram['sigmoid_0.tmp_0']!.data as Float32Array;
    const b = fromModel['sigmoid_0.tmp_0']!.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    console.log(`largest difference between program and model outputs: ${maxDiff.toExponential(2)}`);
    check(a.length === b.length && maxDiff < 1e-4, 'the compiled program computes what the model computes (max |diff| < 1e-4)');
    const { words } = detectionContrast(a, page);
    check(Math.min(...words) > 0.5, 'the program finds every word of the page');
  } finally {
    await Promise.all([program.close(), model.close()]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExecArgs } from '../../../lib/cli/exec-args.js';
import { compileAccuracy, compileAccuracyText, formatAccuracy } from '../../../lib/compiler/fp16/compile-accuracy.js';
import { encodeModel } from '../../../lib/onnx/model.js';
import { chainModel, scratch } from './helpers.js';

const EXEC = fileURLToPath(new URL('../../../lib/cli/qaic-exec.js', import.meta.url));

t.test('compileAccuracy fixes dims as the compile does and measures float32 vs float16', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'chain.onnx');
  writeFileSync(path, encodeModel(chainModel()));
  const report = await compileAccuracy(path, { onnx_define_symbol: { N: 3 } });
  t.same(report.outputs.map((o) => [o.name, o.dims]), [['y', [3, 10]]]);
  t.equal(report.outputs[0]!.top1Agreement, 1);
  t.match(formatAccuracy(report), /^FP16 accuracy against float32 \(random inputs, seed 0\):\n {2}y \[3, 10\]: max abs error \S+, relative L2 error \S+, top-1 agreement 100\.0%$/);
  t.match(await compileAccuracyText(path, {}), /not measured \[QAIC_INVALID_ARGUMENT\]: input 'x' keeps a symbolic dim 'N'.*-onnx-define-symbol=N,<size>/);
});

t.test('qaic-exec -convert-to-fp16 prints the accuracy report unless -no-fp16-accuracy', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'chain.onnx');
  writeFileSync(path, encodeModel(chainModel()));
  const run = (...extra: string[]) => execFileSync(process.execPath, [EXEC, `-m=${path}`, '-onnx-define-symbol=N,2', '-convert-to-fp16', `-aic-binary-dir=${join(dir, `out${extra.length}`)}`, ...extra], { encoding: 'utf8' });
  t.match(run(), /FP16 accuracy against float32 \(random inputs, seed 0\):\n {2}y \[2, 10\]: max abs error/);
  t.notMatch(run('-no-fp16-accuracy'), /FP16 accuracy/);
  t.same(parseExecArgs(['-m=a.onnx', '-convert-to-fp16', '-no-fp16-accuracy'], '/w'), {
    kind: 'compile', modelPath: 'a.onnx', outputDir: '/w/a_qpc', noEffect: [], fp16Accuracy: false,
    options: { convert_to_fp16: true, output_dir: '/w/a_qpc' },
  });
});

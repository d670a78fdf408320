import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { cnnInputs, smallCnn } from '../compiler/quant/helpers.js';
import { qaicExec as exec } from './qaic-exec-helpers.js';

// After an int8 compile qaic-exec prints the int8 accuracy report by default (float32 vs int8 per output, and the
// nodes that lose the most), on evaluation inputs when listed; it refuses to evaluate on the calibration inputs,
// without failing the compile; -no-int8-accuracy skips it.


/** The test CNN, a calibration list of 4 raw inputs and an evaluation list of 2 others. */
function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-exec-int8-acc-'));
  writeFileSync(join(dir, 'cnn.onnx'), encodeModel(smallCnn()));
  const list = (name: string, seed: number, n: number) => {
    const lines = cnnInputs(n, seed).map((input, i) => {
      writeFileSync(join(dir, `${name}${i}.raw`), input.x.data);
      return `${name}${i}.raw`;
    });
    writeFileSync(join(dir, `${name}.txt`), `${lines.join('\n')}\n`);
  };
  list('cal', 1, 4);
  list('eval', 100, 2);
  return dir;
}

t.test('the flags parse', async (t) => {
  t.match(parseExecArgs(['-m=cnn.onnx', '-load-profile=p.json', '-accuracy-input-list-file=e.txt', '-accuracy-map-threshold=0.5', '-no-int8-accuracy']), {
    kind: 'compile', int8Accuracy: false, accuracyInputListFile: 'e.txt', accuracyMapThreshold: 0.5,
  });
});

t.test('qaic-exec prints the int8 accuracy table after an int8 compile, on the evaluation list', async (t) => {
  const dir = setup();
  const r = await exec(['-m=cnn.onnx', '-input-list-file=cal.txt', '-convert-to-quantize', '-accuracy-input-list-file=eval.txt'], dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Int8 accuracy against float32 \(2 evaluation input set\(s\)\):\n\s+output\s+dims\s+max abs err\s+rel L2\s+top-1\/argmax\s+map IoU@0\.3\n\s+y\s+\[1,10\]\s+\S+\s+\S+\s+\d+\.\d%\s+-/);
  t.match(r.stdout, /Quantized nodes with the largest own error \(of 3;.*\n\s+(conv1|conv2|head) \((Conv|MatMul)\) -> \S+: rel L2 /);

  const random = await exec(['-m=cnn.onnx', '-input-list-file=cal.txt', '-convert-to-quantize', '-aic-binary-dir=r'], dir);
  t.equal(random.code, 0, random.stderr);
  t.match(random.stdout, /2 random input set\(s\), seed 0: not representative/);

  const skipped = await exec(['-m=cnn.onnx', '-input-list-file=cal.txt', '-convert-to-quantize', '-no-int8-accuracy', '-aic-binary-dir=s'], dir);
  t.equal(skipped.code, 0, skipped.stderr);
  t.notMatch(skipped.stdout, /Int8 accuracy/);
});

t.test('evaluating on the calibration inputs is refused in the report, and the compile still succeeds', async (t) => {
  const dir = setup();
  const r = await exec(['-m=cnn.onnx', '-input-list-file=cal.txt', '-convert-to-quantize', '-accuracy-input-list-file=cal.txt'], dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Int8 accuracy: not measured \[QAIC_INVALID_ARGUMENT\]: int8Accuracy: evaluation input set 0 is calibration input set 0/);
  t.match(r.stdout, /Generated binary is present at/);
});

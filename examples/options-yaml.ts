/**
 * Options from a YAML file, as the Python API's `options_path`: the same keys as the constructor's options. Options
 * given in code win over the file's. Here the file fixes the detector's symbolic dimensions to a 256x384 page and
 * asks for two activations; the example checks both took effect.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'qaic';
import { check, ocrModel, textPage } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-options-yaml-'));
const yamlPath = join(dir, 'det-options.yaml');
writeFileSync(yamlPath, [
  '# PP-OCRv4 detection on landscape pages',
  'num_activations: 2',
  'set_size: 4',
  'onnx_define_symbol:',
  '  p2o.DynamicDimension.0: 1',
  '  p2o.DynamicDimension.1: 256',
  '  p2o.DynamicDimension.2: 384',
  '',
].join('\n'));

// set_size given in code beats the file's 4.
const session = new Session(ocrModel('det'), { options_path: yamlPath, set_size: 2 });
try {
  const o = session.options;
  console.log(`num_activations=${o.num_activations} set_size=${o.set_size} onnx_define_symbol=${JSON.stringify(o.onnx_define_symbol)}`);
  check(o.num_activations === 2, 'num_activations comes from the YAML file');
  check(o.set_size === 2, 'set_size given in code wins over the YAML file');
  const [shape] = session.modelInputShapeDict.x!;
  check(shape.join('x') === '1x3x256x384', `the symbols from the file fix the input shape (got [${shape.join(', ')}])`);

  const seen = new Set<number>();
  session.observe({ onRun: (trace) => seen.add(trace.activation) });
  await session.setup();
  const page = textPage(256, 384);
  // Eight requests at once: the dispatcher spreads them over both activations.
  const runs = Array.from({ length: 8 }, () => session.run({ x: page.input.slice() }));
  const outs = await Promise.all(runs);
  check(outs.every((out) => out['sigmoid_0.tmp_0']!.shape.join('x') === '1x1x256x384'), 'all 8 results have the fixed output shape');
  check(seen.size === 2, `both activations served requests (activations seen: ${[...seen].sort().join(', ')})`);
} finally {
  await session.close();
  rmSync(dir, { recursive: true, force: true });
}

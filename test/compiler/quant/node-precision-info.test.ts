import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { resolveOptions } from '../../../lib/options.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// node_precision_info_file, the SDK's FP16NodeInstanceNames YAML: the nodes whose first outputs it lists stay out of
// int8 (float32 here); its content, not its path, is in the compile key; a bad file or an unknown name is refused.

t.test('the listed nodes stay float32, and a change of content recompiles', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-node-precision-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(4, 1), { dump_profile: profile });
  const info = join(dir, 'fp16_nodes.yaml');
  writeFileSync(info, 'FP16NodeInstanceNames:\n  - c2\n');
  const options = { load_profile: profile, node_precision_info_file: info, output_dir: join(dir, 'p') };
  const first = await compile(file, options);
  const q = first.report.quantization!;
  t.ok(q.keptFloat.some((k) => k.node === 'conv2' && k.reason === 'user'), 'conv2 (first output c2) kept in float32');
  t.equal(q.quantizedNodes['Conv'], 1);
  t.equal(q.int8Kernels['QLinearConv'], 1, 'one QLinearConv after optimization');
  t.ok((await compile(file, options)).cached, 'same content: a cache hit');
  writeFileSync(info, 'FP16NodeInstanceNames: [c1]\n');
  const second = await compile(file, options);
  t.notOk(second.cached, 'other content at the same path: recompiled');
  t.ok(second.report.quantization!.keptFloat.some((k) => k.node === 'conv1'));
});

t.test('a bad file, an unknown output name, or the option without int8 is refused naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-node-precision-bad-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(2, 1), { dump_profile: profile });
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const compileWith = (info: string) => compile(file, { load_profile: profile, node_precision_info_file: info, output_dir: join(dir, 'out') });
  await t.rejects(compileWith(write('list.yaml', '- c2\n')), { code: 'QAIC_FILE_INVALID', message: /list\.yaml': expected a YAML mapping whose key FP16NodeInstanceNames/ });
  await t.rejects(compileWith(write('broken.yaml', 'FP16NodeInstanceNames: [c2\n')), { code: 'QAIC_FILE_INVALID', message: /broken\.yaml': not YAML/ });
  await t.rejects(compileWith(write('numbers.yaml', 'FP16NodeInstanceNames: [1, 2]\n')), { code: 'QAIC_FILE_INVALID' });
  await t.rejects(compileWith(write('unknown.yaml', 'FP16NodeInstanceNames: [c2, nope]\n')), {
    code: 'QAIC_INVALID_OPTION', message: /unknown\.yaml' names 1 output\(s\) that no node of .* writes first: 'nope'/,
  });
  await t.rejects(compileWith(join(dir, 'missing.yaml')), { code: 'QAIC_FILE_NOT_FOUND' });
  t.throws(() => resolveOptions({ node_precision_info_file: 'x.yaml' }), { code: 'QAIC_INVALID_OPTION', message: /needs 'load_profile' or 'convert_to_quantize'/ });
});

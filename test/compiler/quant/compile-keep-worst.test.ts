import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { calibratedTemp, cnnInputs, smallCnn } from './helpers.js';

// keep_worst_nodes keeps the first quantized nodes in float (reason 'worst', listed with their predicted error);
// its default, 0, keeps none (measured on PP-OCRv4, keeping the stem helped det and hurt rec and cls); a bad count
// is refused by name.

t.test('keep_worst_nodes: 1 keeps the stem Conv in float; the default keeps none', async (t) => {
  const { file, profile } = await calibratedTemp(t, smallCnn(), cnnInputs(4, 1));
  const dir = mkdtempSync(join(tmpdir(), 'qaic-keep-worst-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const one = await compile(file, { load_profile: profile, keep_worst_nodes: 1, output_dir: join(dir, 'one') });
  const q = one.report.quantization!;
  t.same(q.keptWorst.map((w) => w.node), ['conv1']);
  t.ok(q.keptWorst[0]!.estimate > 0, 'with the error the profile predicted');
  t.ok(q.keptFloat.some((k) => k.node === 'conv1' && k.reason === 'worst'), "conv1 kept float, reason 'worst'");
  t.equal(q.int8Kernels['QLinearConv'], 1, 'only conv2 runs as QLinearConv');
  const byDefault = await compile(file, { load_profile: profile, output_dir: join(dir, 'default') });
  t.same(byDefault.report.quantization!.keptWorst, [], 'none kept by default');
  t.equal(byDefault.report.quantization!.int8Kernels['QLinearConv'], 2);
  t.not(one.key, byDefault.key, 'the count is part of the compile key');
  await t.rejects(compile(file, { load_profile: profile, keep_worst_nodes: -1 } as never), { code: 'QAIC_INVALID_OPTION', message: /keep_worst_nodes/ });
});

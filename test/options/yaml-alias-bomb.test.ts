import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

/**
 * A YAML "billion laughs" under one accepted key: a list whose item i holds 10 aliases of item i - 1, so item
 * `levels - 1` stands for 10^levels leaves in a file of a few hundred bytes.
 */
function bomb(key: string, levels: number): string {
  let text = `${key}:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
  for (let i = 1; i < levels; i++) text = `${text}  - &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  return text;
}

for (const [key, levels] of [['mos', 6], ['mos', 9], ['keep_original_precision_for_nodes', 9], ['onnx_define_symbol', 9]] as const) {
  t.test(`an alias bomb of 10^${levels} leaves under '${key}' is refused at once with QAIC_INVALID_OPTION`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'qaic-yaml-bomb-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, bomb(key, levels));
    // compiling is where an accepted bomb used to explode (options.yaml, the program's provenance)
    const result = finished(t, await isolated(`
      const { compile } = await lib('compiler/compile.js');
      const { addOneModel } = await fixtures('models.js');
      report(await attempt(() => compile(addOneModel([1, 4]), { options_path: ${JSON.stringify(file)}, output_dir: ${JSON.stringify(join(dir, 'out'))} })));
    `, { timeoutMs: 60_000 }));
    t.equal(result.ok, false, 'refused');
    t.equal(result.code, 'QAIC_INVALID_OPTION', result.message);
    t.match(result.message, /expands to more than 100000 values/, 'refused for its expansion, before any option is looked at');
  });
}

t.test('an ordinary options file with an alias is accepted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-yaml-alias-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ok.yaml');
  writeFileSync(file, 'set_size: &n 4\nnum_activations: 1\nmos: *n\naic_pmu_events: [a, b, c]\n');
  const { resolveOptions } = await import('../../lib/options.js');
  const resolved = resolveOptions({ options_path: file });
  t.equal(resolved.set_size, 4);
  t.same(resolved.ignored, { mos: 4, aic_pmu_events: ['a', 'b', 'c'] });
});

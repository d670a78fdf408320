/**
 * compile() lets any core budget through (compiling uses no activation cores), but a wrong-type
 * `allow_oversubscription` is still a bad option: it is refused by name, as a Session refuses it.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { addOneModel } from '../fixtures/models.js';

t.test('BAD INPUT - allow_oversubscription that is not a boolean is refused by compile()', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-oversub-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const model = addOneModel([1, 4]);
  for (const [name, value] of [['allow_oversubscription', 'yes'], ['allowOversubscription', 1]] as const) {
    await t.rejects(compile(model, { [name]: value } as never), {
      code: 'QAIC_INVALID_OPTION',
      message: /option 'allow_?[oO]versubscription'.*expected a boolean/,
    }, `${name}: ${JSON.stringify(value)}`);
  }
  const ok = await compile(model, { output_dir: join(dir, 'qpc'), num_activations: 64, aic_num_cores: 64 });
  t.ok(ok, 'a budget above the machine is still fine for compiling');
});

import t from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { finished, isolated } from '../../fixtures/isolated.js';
import { libUrl, moduleUrl, substitutePrelude } from '../../fixtures/substitute.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// int8Accuracy compiles into a temporary folder that it removes whatever happens: a failure after the folder is made
// (here the session module failing to load, the one step that came between the folder and its cleanup) leaves none
// behind.

t.test('the temporary folder is removed when loading the session module fails', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-tmp-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(2, 1), { dump_profile: profile });
  // the child's TMPDIR is a fresh folder of this test: the folder int8Accuracy makes (os.tmpdir()) lands there
  const scratch = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-scratch-'));
  t.teardown(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  // a child process in which importing session.js fails
  const failing = moduleUrl("throw new Error('the session module failed to load');\n");
  const helpers = new URL('./helpers.js', import.meta.url).href;
  const outcome = await isolated(`${substitutePrelude({ [libUrl('session.js')]: failing })}
const { int8Accuracy } = await lib('compiler/quant/accuracy.js');
const { cnnInputs } = await import(${JSON.stringify(helpers)});
report(await attempt(() => int8Accuracy(${JSON.stringify(file)}, { load_profile: ${JSON.stringify(profile)} }, { inputs: cnnInputs(1, 100) })));
`, { timeoutMs: 60_000, env: { TMPDIR: scratch } });
  const r = finished(t, outcome);
  t.equal(r.ok, false, 'int8Accuracy rejects');
  t.match(r.message, /the session module failed to load/);
  t.same(readdirSync(scratch), [], 'no qaic-int8-accuracy-* folder is left behind');
});

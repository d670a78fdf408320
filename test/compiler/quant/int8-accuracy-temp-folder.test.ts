import t from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// int8Accuracy compiles into a temporary folder that it removes whatever happens: a failure after the folder is made
// (here the session module failing to load, the one step that came between the folder and its cleanup) leaves none
// behind.

t.test('the temporary folder is removed when loading the session module fails', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-tmp-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(2, 1), { dump_profile: profile });
  // absolute URLs: tap resolves relative mock paths against the source-mapped .ts file, not the built one
  const at = (path: string) => new URL(path, import.meta.url).href;
  const { int8Accuracy } = await t.mockImport<typeof import('../../../lib/compiler/quant/accuracy.js')>(at('../../../lib/compiler/quant/accuracy.js'), {
    [at('../../../lib/session.js')]: {
      get Session(): never {
        throw new Error('the session module failed to load');
      },
    },
  });
  // os.tmpdir() reads TMPDIR on each call: the folder int8Accuracy makes lands in a fresh folder of this test
  const scratch = mkdtempSync(join(tmpdir(), 'qaic-int8-acc-scratch-'));
  t.teardown(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = scratch;
  try {
    await t.rejects(int8Accuracy(file, { load_profile: profile }, { inputs: cnnInputs(1, 100) }), { message: /the session module failed to load/ });
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
  t.same(readdirSync(scratch), [], 'no qaic-int8-accuracy-* folder is left behind');
});

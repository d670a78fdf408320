import t from 'tap';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// The compile key holds the profile's content, not its path: a new profile at the same path recompiles, and the
// same profile at another path is a cache hit.

t.test('the compile key follows the profile content, not its path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-key-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const path = join(dir, 'profile.json');
  const out = join(dir, 'program');
  await calibrate(file, cnnInputs(3, 1), { dump_profile: path, num_histogram_bins: 32 });
  const first = await compile(file, { load_profile: path, output_dir: out });
  t.equal(first.cached, false);
  const again = await compile(file, { load_profile: path, output_dir: out });
  t.equal(again.cached, true, 'same profile: a cache hit');
  const moved = join(dir, 'moved.json');
  copyFileSync(path, moved);
  const elsewhere = await compile(file, { load_profile: moved, output_dir: out });
  t.equal(elsewhere.key, first.key, 'the same content at another path: the same key');
  await calibrate(file, cnnInputs(3, 40), { dump_profile: path, num_histogram_bins: 32 });
  const changed = await compile(file, { load_profile: path, output_dir: out });
  t.not(changed.key, first.key, 'new content at the same path: a new key');
  t.equal(changed.cached, false, 'and a recompile');
  t.not(changed.report.quantization!.profileSha256, first.report.quantization!.profileSha256);
});

import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useShaderCache } from '../../lib/runtime/shader-cache.js';

// The shader cache is an optimization: a `shaders` path the library cannot use as its own plain folder (a symbolic
// link someone planted, a file) leaves MESA_SHADER_CACHE_DIR unset, so the driver keeps its default, and nothing is
// written through the link. No GPU is needed: this is the choice made before any GPU session.
t.test('UNTRUSTED - a shaders path that is a link or a file is not used; a plain one is, once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-shader-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  delete process.env.MESA_SHADER_CACHE_DIR;

  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  mkdirSync(join(dir, 'linked'));
  symlinkSync(elsewhere, join(dir, 'linked', 'shaders'));
  process.env.QAIC_CACHE_DIR = join(dir, 'linked');
  t.equal(useShaderCache(), undefined, 'a symbolic link is not followed');
  t.equal(process.env.MESA_SHADER_CACHE_DIR, undefined, 'the driver keeps its default');
  t.same(readdirSync(elsewhere), [], 'nothing was made where the link points');

  mkdirSync(join(dir, 'file'));
  writeFileSync(join(dir, 'file', 'shaders'), 'not a folder');
  process.env.QAIC_CACHE_DIR = join(dir, 'file');
  t.equal(useShaderCache(), undefined, 'a file in its place is not used');
  t.equal(process.env.MESA_SHADER_CACHE_DIR, undefined);

  process.env.QAIC_CACHE_DIR = join(dir, 'fresh', 'cache');
  const chosen = join(dir, 'fresh', 'cache', 'shaders');
  t.equal(useShaderCache(), chosen, 'a missing folder is made, with its parents');
  t.equal(process.env.MESA_SHADER_CACHE_DIR, chosen);
  process.env.QAIC_CACHE_DIR = join(dir, 'other');
  t.equal(useShaderCache(), chosen, 'set once per process: the driver reads it once, so a later cache root does not move it');
  process.env.MESA_SHADER_CACHE_DIR = join(dir, 'mine');
  t.equal(useShaderCache(), undefined, "a value set by the user is the user's");
  t.equal(process.env.MESA_SHADER_CACHE_DIR, join(dir, 'mine'));
});

/**
 * The GPU's shader cache beside the compile cache. A GPU activation's first inference compiles its shaders (seconds
 * on a software Vulkan device); Mesa's Vulkan drivers (lavapipe, RADV, ANV) keep what they compiled on disk when
 * `MESA_SHADER_CACHE_DIR` names a folder, so a second process loads them instead. The library points that variable
 * at `<cache root>/shaders` before the first GPU session, so the compiled programs and the shaders they need live
 * (and are cleared) together. A user's own `MESA_SHADER_CACHE_DIR` is left as it is.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../compiler/cache.js';

/** The folder under the cache root (`QAIC_CACHE_DIR`, see {@link cacheRoot}) that holds compiled GPU shaders. */
export const SHADER_CACHE_FOLDER = 'shaders';

/** The folder this library set `MESA_SHADER_CACHE_DIR` to, so that a later session knows the value is its own. */
let ours: string | undefined;

/**
 * Point Mesa's shader cache at `<cache root>/shaders` (created owner-only, mode 0700) unless `MESA_SHADER_CACHE_DIR`
 * is already set. Called from the main thread before any GPU session is created, and once per process in effect: the
 * driver reads the variable when onnxruntime's GPU provider first opens the device, the native engine's threads and
 * worker threads read the same process environment (Node sets the main thread's `process.env` in the C environment
 * too), and the child processes of process isolation and of compiling inherit it when forked. It is
 * only a cache, so a folder that cannot be made, or a path that is not a plain folder of this user's (a symbolic link,
 * a file, another user's folder), leaves the driver's default in place.
 *
 * @returns the folder the driver's shader cache uses when this library chose it; undefined when the user chose it, or
 *   the folder could not be used
 */
export function useShaderCache(): string | undefined {
  const chosen = process.env.MESA_SHADER_CACHE_DIR;
  if (chosen !== undefined && chosen !== '') return chosen === ours ? ours : undefined;
  const dir = join(cacheRoot(), SHADER_CACHE_FOLDER);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const found = lstatSync(dir);
    // another user's folder (a shared cache root) could feed this process's driver shaders of their choosing
    if (!found.isDirectory() || (process.getuid !== undefined && found.uid !== process.getuid())) return undefined;
  } catch {
    return undefined;
  }
  process.env.MESA_SHADER_CACHE_DIR = dir;
  ours = dir;
  return dir;
}

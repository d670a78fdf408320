/**
 * Where compiled programs go when the caller names no `output_dir`, and when an existing program may be reused.
 *
 * A program is reused when its folder holds `compile.json` with the same compile key. The key covers everything
 * that changes the program's bytes: the model's content (SHA-256; external data files by size and mtime), the options
 * the option table marks as changing the program (`program: true` in `options.ts`: symbols, batch size, fp16 and its
 * exclusions and clipping), the onnxruntime version that optimized it, the host features the optimization depends
 * on, and this compiler's own version. Options that do not change the program (runtime options, `aic_num_cores`,
 * no-effect SDK flags) are not in the key, so changing them never recompiles.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { programOptions, type ResolvedOptions } from '../options.js';

/** Bump when the compiler's output changes for the same inputs, so that older cached programs are not reused. */
export const COMPILER_VERSION = 2;

/** The sidecar file beside `programqpc.bin` that records how the program was compiled. */
export const COMPILE_RECORD_FILE = 'compile.json';

/** The inputs of the compile key. */
export interface CompileKeyParts {
  /** SHA-256 (hex) of the `.onnx` file's bytes */
  modelSha256: string;
  /** the resolved options: only those the option table marks `program: true` enter the key */
  options: ResolvedOptions;
  /** the onnxruntime version that optimizes the graph */
  onnxruntimeVersion: string;
  /** the host CPU features the optimized graph depends on */
  hostFeatures: readonly string[];
  /** SHA-256 of the quantization profile's content when compiling int8 (`load_profile` names a file: its path is not the key) */
  profileSha256?: string;
}

/** The compile key: SHA-256 (hex) of the canonical JSON of the parts. */
export function compileKey(parts: CompileKeyParts): string {
  const canonical = {
    compiler: COMPILER_VERSION,
    model: parts.modelSha256,
    options: programOptions(parts.options),
    onnxruntime: parts.onnxruntimeVersion,
    host: [...parts.hostFeatures].sort(),
    ...(parts.profileSha256 === undefined ? {} : { profile: parts.profileSha256 }),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The cache root: `$QAIC_CACHE_DIR`, else `$XDG_CACHE_HOME/qaic`, else `~/.cache/qaic` (the temp folder when there
 * is no home directory).
 */
export function cacheRoot(): string {
  const explicit = process.env.QAIC_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'qaic');
  let home = '';
  try {
    home = homedir();
  } catch {
    home = '';
  }
  return home === '' ? join(tmpdir(), 'qaic-cache') : join(home, '.cache', 'qaic');
}

/** The cache folder of one compile key. */
export function cacheDirFor(key: string, modelStem: string): string {
  const safe = modelStem.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return join(cacheRoot(), `${safe}-${key.slice(0, 24)}`);
}

/** An external data file the model read its weights from, as it was at compile time. */
export interface ExternalFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The compile record of a program folder, when it exists and parses. */
export function readCompileRecord(dir: string): { key: string; external: ExternalFile[]; report: unknown } | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dir, COMPILE_RECORD_FILE), 'utf8')) as { key?: unknown; external?: unknown; report?: unknown };
    if (typeof record.key !== 'string') return undefined;
    return { key: record.key, external: Array.isArray(record.external) ? record.external as ExternalFile[] : [], report: record.report };
  } catch {
    return undefined;
  }
}

/**
 * Whether the external data files a program was compiled from are unchanged (same size and mtime). The compile key
 * hashes the `.onnx` file only: hashing gigabytes of external weights on every session creation would cost more than
 * the check is worth.
 */
export function externalFilesUnchanged(files: readonly ExternalFile[]): boolean {
  return files.every((f) => {
    try {
      const stats = statSync(f.path);
      return stats.size === f.size && stats.mtimeMs === f.mtimeMs;
    } catch {
      return false;
    }
  });
}

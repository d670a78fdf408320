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
import { existsSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRegularTextFileSync } from '../files.js';
import { programOptions, type ResolvedOptions } from '../options.js';
import { PROGRAM_FILE } from '../program/format.js';
import { openProgram } from '../program/open.js';
import { placementProblem } from '../runtime/placement.js';

/** Bump when the compiler's output changes for the same inputs, so that older cached programs are not reused. */
export const COMPILER_VERSION = 3;

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
  /** SHA-256 of the `node_precision_info_file`'s content when compiling int8 with one */
  nodePrecisionSha256?: string;
  /** bits of the int8 weights on this host (see `quant/weight-range.ts`) when compiling int8 */
  int8WeightBits?: 7 | 8;
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
    ...(parts.nodePrecisionSha256 === undefined ? {} : { nodePrecision: parts.nodePrecisionSha256 }),
    ...(parts.int8WeightBits === undefined ? {} : { int8WeightBits: parts.int8WeightBits }),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The cache root: `$QAIC_CACHE_DIR`, else `$XDG_CACHE_HOME/qaic`, else `~/.cache/qaic` (the temp folder when there
 * is no home directory). GPU sessions keep their compiled shaders in its `shaders` folder (see `useShaderCache`).
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

/** Largest `compile.json` read (it holds the compile report, which grows with the model's operator count). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The compile record of a program folder, when it exists and parses. */
export function readCompileRecord(dir: string): { key: string; external: ExternalFile[]; report: unknown; program?: string } | undefined {
  try {
    const text = readRegularTextFileSync(join(dir, COMPILE_RECORD_FILE), { what: 'compile record', maxBytes: MAX_RECORD_BYTES });
    const record = JSON.parse(text) as { key?: unknown; external?: unknown; report?: unknown; program?: unknown };
    if (typeof record.key !== 'string') return undefined;
    const out: { key: string; external: ExternalFile[]; report: unknown; program?: string } = {
      key: record.key, external: Array.isArray(record.external) ? record.external as ExternalFile[] : [], report: record.report,
    };
    if (typeof record.program === 'string') out.program = record.program;
    return out;
  } catch {
    return undefined;
  }
}

/** What {@link checkCacheHit} found in a program folder. */
export type CacheHit =
  | { hit: true; report: unknown }
  | { hit: false; stale?: string };

/**
 * Whether the program in `dir` is the one compiled under `key`: its `compile.json` has the key, the external data
 * files are unchanged, and `programqpc.bin` verifies (every byte) and is the program that record was written with
 * (the manifest's SHA-256 it recorded, which covers every section). Anything else is a miss; `stale` says why when
 * the folder held a program or record that can no longer be used (damaged, replaced by another program, e.g. by
 * `link()`), so that the caller can say it recompiles.
 */
export async function checkCacheHit(dir: string, key: string): Promise<CacheHit> {
  const programPath = join(dir, PROGRAM_FILE);
  const record = readCompileRecord(dir);
  if (record === undefined) {
    return existsSync(join(dir, COMPILE_RECORD_FILE)) ? { hit: false, stale: `its ${COMPILE_RECORD_FILE} is unreadable` } : { hit: false };
  }
  if (record.key !== key || !existsSync(programPath)) return { hit: false };
  if (!externalFilesUnchanged(record.external)) return { hit: false };
  if (record.program === undefined) return { hit: false, stale: `its ${COMPILE_RECORD_FILE} does not record which program it describes` };
  let opened;
  try {
    opened = await openProgram(programPath);
  } catch (error) {
    return { hit: false, stale: (error as Error).message };
  }
  if (opened.manifestSha256 !== record.program) return { hit: false, stale: `its ${PROGRAM_FILE} is not the program ${COMPILE_RECORD_FILE} describes (replaced, e.g. by link())` };
  // the report is handed back and printed as the compile's: a placement in it that is not a sound report is refused
  const placement = (record.report as { placement?: unknown } | null)?.placement;
  const problem = placement === undefined ? undefined : placementProblem(placement);
  if (problem !== undefined) return { hit: false, stale: `its ${COMPILE_RECORD_FILE} holds an invalid placement report (${problem})` };
  return { hit: true, report: record.report };
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

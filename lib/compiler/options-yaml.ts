/**
 * The `options.yaml` the Python API writes beside a compiled program: the resolved compile and runtime options, in
 * the same keys `options_path` reads, so that `new Session('<dir>/programqpc.bin', {options_path:
 * '<dir>/options.yaml'})` runs the program with the options it was compiled with.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { readRegularTextFileSync } from '../files.js';
import type { ResolvedOptions } from '../options.js';

/** The file name, as in the Python API. */
export const OPTIONS_YAML_FILE = 'options.yaml';

/**
 * Options that say how a profile was recorded, not how the program runs: the calibration inputs themselves (data,
 * not settings), and the options that need them (`dump_profile`, `convert_to_quantize`), which would make the file
 * unloadable without them.
 */
const CALIBRATION_RUN_OPTIONS = new Set(['calibration_inputs', 'dump_profile', 'convert_to_quantize']);

/**
 * Plain options for the YAML file: undefined values, `options_path` and the calibration run's options dropped,
 * no-effect flags as their own keys.
 */
export function optionsForYaml(options: ResolvedOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    // network_specialization_config: its content is written as `specializations`, and giving both is refused
    if (key === 'ignored' || key === 'options_path' || key === 'network_specialization_config' || CALIBRATION_RUN_OPTIONS.has(key) || value === undefined) continue;
    out[key] = value;
  }
  for (const [key, value] of Object.entries(options.ignored)) if (value !== undefined) out[key] = value;
  return out;
}

/** What {@link writeOptionsYaml} may assume. */
export interface WriteOptionsYamlControls {
  /**
   * The program in `dir` was reused, not written now: the folder may be read-only, and failing to refresh
   * `options.yaml` there is a warning, not an error.
   */
  cached?: boolean;
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function currentText(path: string): string | undefined {
  try {
    return readRegularTextFileSync(path, { what: 'options file', maxBytes: 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/**
 * Write `options.yaml` into `dir` and return its path. The user's own file is never overwritten: when `options_path`
 * names this very file, it is left as it is (its comments and layout are the user's). A file that already says the
 * same is not rewritten. The new text goes to a temporary file renamed over the old one, so a symbolic link named
 * `options.yaml` is replaced, never written through.
 */
export function writeOptionsYaml(dir: string, options: ResolvedOptions, controls: WriteOptionsYamlControls = {}): string {
  const path = join(dir, OPTIONS_YAML_FILE);
  if (options.options_path !== undefined && sameFile(options.options_path, path)) return path;
  const header = '# Options this program was compiled with (qaic). Load with options_path to run it with the same options.\n';
  const text = header + dump(optionsForYaml(options), { sortKeys: true, lineWidth: 120 });
  if (currentText(path) === text) return path;
  const temp = join(dir, `.${OPTIONS_YAML_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    if (controls.cached !== true) throw error;
    process.emitWarning(`qaic: could not update '${path}' beside the reused program (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the program is used as it is`, {
      code: 'QAIC_OPTIONS_YAML_NOT_WRITTEN', type: 'QaicWarning',
    });
  }
  return path;
}

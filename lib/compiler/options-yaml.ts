/**
 * The `options.yaml` the Python API writes beside a compiled program: the resolved compile and runtime options, in
 * the same keys `options_path` reads, so that `new Session('<dir>/programqpc.bin', {options_path:
 * '<dir>/options.yaml'})` runs the program with the options it was compiled with.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
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
    if (key === 'ignored' || key === 'options_path' || CALIBRATION_RUN_OPTIONS.has(key) || value === undefined) continue;
    out[key] = value;
  }
  for (const [key, value] of Object.entries(options.ignored)) if (value !== undefined) out[key] = value;
  return out;
}

/** Write `options.yaml` into `dir` and return its path. */
export function writeOptionsYaml(dir: string, options: ResolvedOptions): string {
  const path = join(dir, OPTIONS_YAML_FILE);
  const header = '# Options this program was compiled with (qaic). Load with options_path to run it with the same options.\n';
  writeFileSync(path, header + dump(optionsForYaml(options), { sortKeys: true, lineWidth: 120 }));
  return path;
}

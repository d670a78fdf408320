/**
 * Checks of the paths a tool will write, made before the work starts (a run of minutes must not end in `EISDIR`),
 * and never creating a folder the user did not name: a typo in a path is an error, not a new folder tree.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from './flags.js';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function checkParent(tool: string, flag: string, path: string, what: string): void {
  const parent = dirname(resolve(path));
  const stat = statOrUndefined(parent);
  if (stat === undefined) throw usageError(tool, `${flag} '${path}': the folder '${parent}' ${what} does not exist (${tool} does not create folders; create it first)`, { flag, path });
  if (!stat.isDirectory()) throw usageError(tool, `${flag} '${path}': '${parent}' is not a folder`, { flag, path });
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw usageError(tool, `${flag} '${path}': the folder '${parent}' is not writable`, { flag, path });
  }
}

/**
 * Check that `path` can be written as a file: not a folder, in an existing writable folder.
 *
 * @param flag the flag that named it, e.g. `--json`
 * @throws QaicError `QAIC_CLI_USAGE` naming the flag, the path and what is wrong
 */
export function checkOutputFile(tool: string, flag: string, path: string): void {
  const stat = statOrUndefined(path);
  if (stat?.isDirectory() === true) throw usageError(tool, `${flag} '${path}' is a folder; give a file path, such as ${resolve(path, flag === '--report' ? 'report.html' : flag === '--configure-output' ? 'best.yaml' : 'out.json')}`, { flag, path });
  if (stat !== undefined && !stat.isFile() && !stat.isCharacterDevice()) throw usageError(tool, `${flag} '${path}' exists and is not a regular file`, { flag, path });
  if (stat === undefined) checkParent(tool, flag, path, 'it goes in');
  else {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw usageError(tool, `${flag} '${path}' is not writable`, { flag, path });
    }
  }
}

/**
 * Check that `path` is a folder the tool may create or fill: an existing folder, or a new one in an existing
 * folder (its parents are never created).
 *
 * @throws QaicError `QAIC_CLI_USAGE` naming the flag, the path and what is wrong
 */
export function checkOutputFolder(tool: string, flag: string, path: string): void {
  const stat = statOrUndefined(path);
  if (stat !== undefined) {
    if (!stat.isDirectory()) throw usageError(tool, `${flag} '${path}' exists and is not a folder`, { flag, path });
    return;
  }
  checkParent(tool, flag, path, 'it would be created in');
}

/**
 * Check that `path` is an existing folder (the SDK's tools write into folders the user created).
 *
 * @throws QaicError `QAIC_CLI_USAGE` naming the flag and the path
 */
export function checkExistingFolder(tool: string, flag: string, path: string): void {
  if (statOrUndefined(path)?.isDirectory() !== true) throw usageError(tool, `${flag} '${path}' is not an existing folder (as with the SDK, create it first)`, { flag, path });
}

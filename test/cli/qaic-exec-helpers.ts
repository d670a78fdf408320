/** Running the built `qaic-exec` as a user would, for the qaic-exec tests. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-exec.js');

/** What one qaic-exec run printed, and its exit code. */
export interface ExecOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `qaic-exec args...` in `cwd` (default: this process's) and collect its output; never rejects. */
export async function qaicExec(args: string[], cwd?: string): Promise<ExecOutcome> {
  try {
    const { stdout, stderr } = await run(...withoutTapHooks(process.execPath, [CLI, ...args]), { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

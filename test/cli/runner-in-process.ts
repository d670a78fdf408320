/**
 * qaic-runner's code path in the test's own process (what the bin's entry calls): faster than a child process on a
 * loaded machine, with the exit status and both streams captured.
 */
import { runRunner } from '../../lib/cli/qaic-runner.js';

/** Run `qaic-runner args` in this process; resolves with its exit status and what it wrote. */
export async function runInProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runRunner(args, { out: (s) => { stdout += s; }, err: (s) => { stderr += s; }, tty: false });
  return { status, stdout, stderr };
}

/**
 * The process end of the command-line tools: run `main`, take its result as the exit code, and turn anything it
 * throws unexpectedly into `<tool>: internal error: <stack>` and exit code 1; and the one way every tool reports an
 * expected failure.
 */
import { isQaicError, type QaicErrorCode } from '../errors.js';

/**
 * Write `<tool>: error [<code>]: <message>` with `write` and return the exit code: 2 when the error's code is one of
 * `usageCodes` (a command-line mistake), else 1.
 */
export function reportFailure(tool: string, error: unknown, usageCodes: readonly QaicErrorCode[], write: (text: string) => void): number {
  const code = isQaicError(error) ? ` [${error.code}]` : '';
  write(`${tool}: error${code}: ${(error as Error)?.message ?? String(error)}\n`);
  return isQaicError(error) && usageCodes.includes(error.code) ? 2 : 1;
}

/** Run a tool's `main` (which returns its exit code) and set `process.exitCode` from it. */
export function runMain(tool: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${tool}: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

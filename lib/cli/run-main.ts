/**
 * The process end of the command-line tools: run `main`, take its result as the exit code, and turn anything it
 * throws unexpectedly into `<tool>: internal error: <stack>` and exit code 1.
 */

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

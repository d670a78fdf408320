/**
 * The Node options a worker thread may inherit.
 *
 * A `Worker` inherits `process.execArgv` by default, and some entry-point options are refused in a worker: run from
 * `node --input-type=module -e '...'` (a one-liner, a notebook kernel), every worker would fail to start with
 * "--input-type can only be used with string input via --eval, --print, or STDIN". Loader and diagnostic options
 * (`--import`, `--enable-source-maps`, `--inspect`...) are kept, so tools such as coverage still see the workers.
 */

/** Options that describe the main entry point and are meaningless (or refused) in a worker; the next argument is theirs. */
const ENTRY_OPTIONS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/** `process.execArgv` without the main entry point's options. */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (ENTRY_OPTIONS_WITH_VALUE.has(arg)) {
      i++; // skip its value
      continue;
    }
    if (arg.startsWith('--input-type=') || arg.startsWith('--eval=') || arg.startsWith('--print=') || arg === '-pe') continue;
    out.push(arg);
  }
  return out;
}

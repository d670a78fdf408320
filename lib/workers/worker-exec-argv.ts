/**
 * The Node options a worker thread starts with.
 *
 * Left alone, a `Worker` inherits the parent's options natively, and Node quietly leaves out what a worker cannot
 * take (V8 flags such as `--expose-gc` or `--max-old-space-size`, process-wide ones such as `--title`). That is
 * what we want, with one exception: entry-point options. Run from `node --input-type=module -e '...'` (a one-liner,
 * a notebook kernel), every worker would fail to start with "--input-type can only be used with string input via
 * --eval, --print, or STDIN". Only then do we pass an explicit `execArgv`, and an explicit list is checked strictly:
 * any V8 or process-wide flag in it makes `new Worker()` throw ERR_WORKER_INVALID_EXEC_ARGV. So the explicit list
 * drops the entry options, and the flags Node names as refused are dropped on the first refusal and remembered.
 * Loader and diagnostic options (`--import`, `--enable-source-maps`, `--inspect`...) are kept, so tools such as
 * coverage still see the workers.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Options that describe the main entry point and are meaningless (or refused) in a worker; the next argument is theirs. */
const ENTRY_OPTIONS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/**
 * `execArgv` without the main entry point's options, or `undefined` when there is none to drop (the worker then
 * inherits the parent's options the native way, which skips what workers cannot take).
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] | undefined {
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
  return out.length === execArgv.length ? undefined : out;
}

/**
 * `execArgv` without the flags a refusal named. Node lists them as given (`--expose-gc`, `--stack-size`), without a
 * value passed as the next argument, so a bare flag takes the next argument with it when that is not an option.
 */
export function withoutRefused(execArgv: readonly string[], refused: readonly string[]): string[] {
  const names = new Set(refused);
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (!names.has(arg)) {
      out.push(arg);
      continue;
    }
    const next = execArgv[i + 1];
    if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) i++;
  }
  return out;
}

/** The flags named by an ERR_WORKER_INVALID_EXEC_ARGV message ("... invalid execArgv flags: --a, --b"). */
export function refusedFlags(message: string): string[] {
  const at = message.indexOf('flags:');
  if (at < 0) return [];
  return message.slice(at + 'flags:'.length).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The explicit list that worked (or `[]` after two refusals), once one was needed; kept for the process. */
let settledArgv: string[] | undefined;

/**
 * `new Worker(url, options)` with the options from {@link workerExecArgv}; when Node refuses flags of an explicit
 * list, retried without them, then with none.
 *
 * @throws whatever `new Worker()` throws for any other reason (callers wrap it in their `QaicError`).
 */
export function startWorker(url: URL, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  const explicit = settledArgv ?? workerExecArgv();
  if (explicit === undefined) return new Worker(url, options);
  const attempts = [explicit];
  for (let i = 0; ; i++) {
    const argv = attempts[i]!;
    try {
      const worker = new Worker(url, { ...options, execArgv: argv });
      settledArgv = argv;
      return worker;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || argv.length === 0) throw error;
      const next = withoutRefused(argv, refusedFlags((error as Error).message));
      // a message we cannot read (another Node version) still ends with no inherited options at all
      attempts.push(next.length < argv.length ? next : []);
    }
  }
}

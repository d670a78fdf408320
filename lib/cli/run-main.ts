/**
 * The process end of the command-line tools: the one entry ({@link runIfMain}) that runs a tool when its file is
 * executed, and the one failure format ({@link reportFailure}): `<tool>: error [<code>]: <message>`, exit code 2
 * for a command-line mistake, 1 otherwise.
 */
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isQaicError, type QaicErrorCode } from '../errors.js';

/** Where a tool writes (tests pass their own). */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal (progress bars are drawn only then) */
  tty: boolean;
}

/** What {@link reportFailure} needs to know about the tool. */
export interface FailureContext {
  /** the name the tool was called by */
  tool: string;
  /** codes that are command-line mistakes (exit 2); `QAIC_CLI_USAGE` always is */
  usageCodes?: readonly QaicErrorCode[];
  /**
   * session option → the flag that sets it in this tool: a library error that names an option (its suggested fix,
   * often) then also names the flag, so that the fix can be followed from the command line
   */
  optionFlags?: Readonly<Record<string, string>>;
  /**
   * error code → how to follow its advice from this tool, for library errors whose suggested fix is no option
   * (e.g. "open with allowHostMismatch", which no command line can)
   */
  codeNotes?: Readonly<Partial<Record<QaicErrorCode, string>>>;
}

/** The flags that set the options a message names, as a note to append (empty when it names none). */
export function flagNote(message: string, optionFlags: Readonly<Record<string, string>> = {}): string {
  const named = Object.entries(optionFlags).filter(([option]) => new RegExp(`(?<![\\w-])${option}(?![\\w-])`).test(message));
  if (named.length === 0) return '';
  return ` [on the command line: ${named.map(([option, flag]) => `${option} is ${flag}`).join(', ')}]`;
}

/**
 * Write `<tool>: error [<code>]: <message>` and return the exit code: 2 when the code is `QAIC_CLI_USAGE` or one of
 * `usageCodes`, else 1. An error that is not a `QaicError` is a bug in qaic: it is reported as `QAIC_INTERNAL` with
 * its stack.
 */
export function reportFailure(context: FailureContext, error: unknown, write: (text: string) => void): number {
  if (!isQaicError(error)) {
    const e = error as Error | undefined;
    write(`${context.tool}: error [QAIC_INTERNAL]: ${e?.message ?? String(error)} (a bug in qaic; please report it with this stack)\n${e?.stack ?? ''}\n`);
    return 1;
  }
  const codeNote = context.codeNotes?.[error.code];
  write(`${context.tool}: error [${error.code}]: ${error.message}${codeNote === undefined ? flagNote(error.message, context.optionFlags) : ` [on the command line: ${codeNote}]`}\n`);
  return error.code === 'QAIC_CLI_USAGE' || (context.usageCodes ?? []).includes(error.code) ? 2 : 1;
}

/** The script names each tool answers to (its canonical name first): `qaic-compile` is `qaic-exec`'s newer name. */
export const TOOL_NAMES: Readonly<Record<string, readonly string[]>> = {
  'qaic-exec': ['qaic-exec', 'qaic-compile'],
  'qaic-runner': ['qaic-runner'],
  'qaic-link': ['qaic-link'],
  'qaic-conformance': ['qaic-conformance'],
};

/**
 * The name the tool was called by: the script's name when it is one of the tool's names (npm's bin links carry
 * them), else the canonical name.
 */
export function invokedName(tool: string, script: string | undefined = process.argv[1]): string {
  const name = script === undefined ? '' : basename(script).replace(/\.(c|m)?js$/, '');
  return (TOOL_NAMES[tool] ?? [tool]).includes(name) ? name : tool;
}

/** A tool's body: parse, work, report; resolves with the exit code. */
export type ToolMain = (argv: readonly string[], io: CliIO, name: string) => Promise<number>;

/**
 * Run `main` with the process's arguments and streams, and set `process.exitCode`, when `moduleUrl`
 * (`import.meta.url`) is the executed script; do nothing when the module is imported (tests import the tools).
 * npm's bin entries are links, so real paths are compared. Anything `main` throws is reported by
 * {@link reportFailure}.
 */
export function runIfMain(moduleUrl: string, tool: string, main: ToolMain): void {
  const script = process.argv[1];
  if (script === undefined) return;
  let real: string;
  try {
    real = realpathSync(script);
  } catch {
    return;
  }
  if (pathToFileURL(real).href !== moduleUrl) return;
  const name = invokedName(tool, script);
  const io: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true };
  main(process.argv.slice(2), io, name).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportFailure({ tool: name }, error, io.err);
    },
  );
}

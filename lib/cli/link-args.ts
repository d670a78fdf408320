/**
 * The `qaic-link` command line: programs in, one linked program out. Flags take the SDK's single-dash form
 * (`-o=dir`) and the GNU forms (`--output-dir dir`, `--output-dir=dir`).
 */
import { resolve } from 'node:path';
import { QaicError } from '../errors.js';

/** Usage text printed by `qaic-link -h`. */
export const LINK_USAGE = `Usage: qaic-link -o <output_dir> [-names=<a,b,...>] <program> <program> ...

Link compiled programs (program folders or programqpc.bin files) into one program with several named graphs.
Weights with the same name and the same bytes are stored once; the others are kept per graph.

  -o, -output-dir, --output-dir <dir>   folder for the linked program (required; created when missing)
  -names, --names <a,b,...>             graph names, one per input graph, in order (default: each program's
                                        graph name, or its folder name for a single 'main' graph)
  -h, -help, --help                     print this help

Run a linked graph with: new Session('<output_dir>', { graph: '<name>' })
Exit status: 0 linked, 1 an input program could not be linked, 2 bad command line.`;

/** A parsed `qaic-link` command line. */
export type LinkCommand = { kind: 'help' } | { kind: 'link'; programs: string[]; outputDir: string; names?: string[] };

const FLAGS: Record<string, 'output' | 'names' | 'help'> = {
  '-o': 'output', '-output-dir': 'output', '--output-dir': 'output', '-output_dir': 'output', '--output_dir': 'output',
  '-names': 'names', '--names': 'names',
  '-h': 'help', '-help': 'help', '--help': 'help',
};

/**
 * Parse `qaic-link` arguments (without `node` and the script).
 *
 * @param cwd folder relative paths resolve against
 * @throws QaicError `QAIC_CLI_USAGE` naming the flag or argument and what was expected
 */
export function parseLinkArgs(argv: readonly string[], cwd: string): LinkCommand {
  const programs: string[] = [];
  let outputDir: string | undefined;
  let names: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      programs.push(resolve(cwd, arg));
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const kind = FLAGS[flag];
    if (kind === undefined) {
      throw new QaicError('QAIC_CLI_USAGE', `unknown flag '${flag}'; expected one of -o, -names, -h (see qaic-link -h)`, { details: { flag } });
    }
    if (kind === 'help') return { kind: 'help' };
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new QaicError('QAIC_CLI_USAGE', `flag '${flag}' needs a value (${kind === 'output' ? 'the output folder' : 'comma-separated graph names'})`, { details: { flag } });
      i++;
    }
    if (value === '') throw new QaicError('QAIC_CLI_USAGE', `flag '${flag}' was given an empty value`, { details: { flag } });
    if (kind === 'output') {
      if (outputDir !== undefined) throw new QaicError('QAIC_CLI_USAGE', `flag '${flag}' was given twice`, { details: { flag } });
      outputDir = resolve(cwd, value);
    } else {
      // the same rule as -o: a second list would silently replace the first
      if (names !== undefined) throw new QaicError('QAIC_CLI_USAGE', `flag '${flag}' was given twice (give every graph name in one comma-separated list)`, { details: { flag } });
      names = value.split(',').map((n) => n.trim());
    }
  }
  if (outputDir === undefined) throw new QaicError('QAIC_CLI_USAGE', 'missing -o <output_dir>: the folder to write the linked program to', { details: { flag: '-o' } });
  if (programs.length === 0) throw new QaicError('QAIC_CLI_USAGE', 'no programs given: pass one or more program folders or programqpc.bin files', { details: {} });
  return names === undefined ? { kind: 'link', programs, outputDir } : { kind: 'link', programs, outputDir, names };
}

/**
 * The `qaic-link` command line: programs in, one linked program out. Flags take the SDK's single-dash form
 * (`-o=dir`) and the GNU forms (`--output-dir dir`, `--output-dir=dir`), all listed in one table
 * ({@link LINK_SPEC}) read by the shared parser and help generator.
 */
import { resolve } from 'node:path';
import { formatHelp, parseFlags, usageError, wantsHelp, type ToolSpec } from './flags.js';

/** The flag table, description and footer of `qaic-link`. */
export const LINK_SPEC: ToolSpec = {
  tool: 'qaic-link',
  syntax: 'gnu',
  synopsis: '-o <output_dir> [-names=<a,b,...>] <program> <program> ...',
  description: `Link compiled programs (program folders or programqpc.bin files) into one program with several named graphs.
Weights with the same name and the same bytes are stored once; the others are kept per graph.`,
  positional: { meta: '<program>', help: 'a program folder or programqpc.bin file; give one or more, in graph order' },
  flags: [
    { key: 'outputDir', names: ['-o', '-output-dir', '--output-dir'], kind: 'string', meta: '<dir>', example: 'linked_qpc', option: 'output_dir', help: 'folder for the linked program (required; its parent folder must exist)' },
    { key: 'outputDir', names: ['-output_dir', '--output_dir'], kind: 'string', meta: '<dir>', hidden: true, help: 'as -o' },
    { key: 'names', names: ['-names', '--names'], kind: 'list', meta: '<a,b,...>', example: 'landscape,portrait', help: "graph names, one per input graph, in order (default: each program's\ngraph name, or its folder name for a single 'main' graph)" },
    { key: 'help', names: ['-h', '-help', '--help'], kind: 'flag', help: 'print this help' },
  ],
  footer: `Run a linked graph with: new Session('<output_dir>', { graph: '<name>' })
Exit status: 0 linked, 1 an input program could not be linked, 2 bad command line.`,
};

/** Usage text printed by `qaic-link -h`. */
export const LINK_USAGE = formatHelp(LINK_SPEC);

/** A parsed `qaic-link` command line. */
export type LinkCommand = { kind: 'help' } | { kind: 'link'; programs: string[]; outputDir: string; names?: string[] };

/**
 * Parse `qaic-link` arguments (without `node` and the script).
 *
 * @param cwd folder relative paths resolve against
 * @throws QaicError `QAIC_CLI_USAGE` naming the flag or argument and what was expected
 */
export function parseLinkArgs(argv: readonly string[], cwd: string): LinkCommand {
  if (wantsHelp(LINK_SPEC, argv)) return { kind: 'help' };
  const { values, positionals } = parseFlags(LINK_SPEC, argv);
  if (values.outputDir === undefined) throw usageError(LINK_SPEC.tool, 'missing -o <output_dir>: the folder to write the linked program to', { flag: '-o' });
  if (positionals.length === 0) throw usageError(LINK_SPEC.tool, 'no programs given: pass one or more program folders or programqpc.bin files');
  const programs = positionals.map((p) => resolve(cwd, p));
  const outputDir = resolve(cwd, values.outputDir as string);
  return values.names === undefined ? { kind: 'link', programs, outputDir } : { kind: 'link', programs, outputDir, names: values.names as string[] };
}

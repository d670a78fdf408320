#!/usr/bin/env node
/**
 * `qaic-link`: link compiled programs into one program with shared weights (see `link-args.ts` for the syntax).
 * Prints what was linked and what sharing saved; exits 0 when linked, 1 when an input could not be linked, 2 for
 * a bad command line.
 */
import { link } from '../program/link.js';
import { LINK_SPEC, parseLinkArgs } from './link-args.js';
import { formatHelp, optionFlags } from './flags.js';
import { checkOutputFolder } from './output-paths.js';
import { reportFailure, runIfMain, type CliIO } from './run-main.js';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

/** Run `qaic-link` with `argv` (without `node` and the script); resolves with the exit code. */
export async function runLink(argv: readonly string[], io: CliIO, tool = 'qaic-link'): Promise<number> {
  const context = { tool, usageCodes: ['QAIC_INVALID_ARGUMENT'] as const, optionFlags: optionFlags(LINK_SPEC) };
  let command;
  try {
    command = parseLinkArgs(argv, process.cwd());
  } catch (error) {
    const code = reportFailure(context, error, io.err);
    if (argv.length === 0) io.err(`\n${formatHelp(LINK_SPEC, tool)}\n`);
    return code;
  }
  if (command.kind === 'help') {
    io.out(`${formatHelp(LINK_SPEC, tool)}\n`);
    return 0;
  }
  try {
    // The output folder is created, but never its parents: a typo in the path must not leave folders behind.
    checkOutputFolder(tool, '-o', command.outputDir);
    const result = await link(command.programs, command.names === undefined ? { output_dir: command.outputDir } : { output_dir: command.outputDir, names: command.names });
    io.out([
      `Linked ${command.programs.length} program(s) into ${result.path}`,
      `  graphs:        ${result.graphs.join(', ')}`,
      `  weights:       ${result.weightCount} stored (${mib(result.weightBytes)}), ${result.sharedWeights} shared by several graphs`,
      `  inputs held:   ${mib(result.inputWeightBytes)} of weights; sharing saved ${mib(result.dedupedBytes)}`,
      `  file size:     ${mib(result.fileBytes)}`,
      '',
    ].join('\n'));
    return 0;
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
}

runIfMain(import.meta.url, 'qaic-link', runLink);

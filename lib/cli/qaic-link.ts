#!/usr/bin/env node
/**
 * `qaic-link`: link compiled programs into one program with shared weights (see `link-args.ts` for the syntax).
 * Prints what was linked and what sharing saved; exits 0 when linked, 1 when an input could not be linked, 2 for
 * a bad command line.
 */
import { link } from '../program/link.js';
import { LINK_USAGE, parseLinkArgs } from './link-args.js';
import { reportFailure, runMain } from './run-main.js';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseLinkArgs(argv, process.cwd());
  } catch (error) {
    process.stderr.write(`qaic-link: ${(error as Error).message}\n${argv.length === 0 ? `\n${LINK_USAGE}\n` : ''}`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${LINK_USAGE}\n`);
    return 0;
  }
  try {
    const result = await link(command.programs, command.names === undefined ? { output_dir: command.outputDir } : { output_dir: command.outputDir, names: command.names });
    process.stdout.write([
      `Linked ${command.programs.length} program(s) into ${result.path}`,
      `  graphs:        ${result.graphs.join(', ')}`,
      `  weights:       ${result.weightCount} stored (${mib(result.weightBytes)}), ${result.sharedWeights} shared by several graphs`,
      `  inputs held:   ${mib(result.inputWeightBytes)} of weights; sharing saved ${mib(result.dedupedBytes)}`,
      `  file size:     ${mib(result.fileBytes)}`,
      '',
    ].join('\n'));
    return 0;
  } catch (error) {
    return reportFailure('qaic-link', error, ['QAIC_INVALID_ARGUMENT'], (text) => process.stderr.write(text));
  }
}

runMain('qaic-link', () => main(process.argv.slice(2)));

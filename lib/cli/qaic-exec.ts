#!/usr/bin/env node
/**
 * `qaic-exec`: compile an ONNX model into a program from the command line, with the SDK's flags (see
 * `exec-args.ts` for the syntax and `EXEC_USAGE` for the list). Prints the compile report; exits 0 when compiled,
 * 1 when the model could not be compiled, 2 for a bad command line.
 */
import { compile } from '../compiler/compile.js';
import { formatReport } from '../compiler/report.js';
import { formatSupportedOperators } from '../compiler/operators.js';
import { compileAccuracyText } from '../compiler/fp16/compile-accuracy.js';
import { EXEC_USAGE, parseExecArgs } from './exec-args.js';
import { reportFailure, runMain } from './run-main.js';

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseExecArgs(argv, process.cwd());
  } catch (error) {
    process.stderr.write(`qaic-exec: ${(error as Error).message}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${EXEC_USAGE}\n`);
    return 0;
  }
  if (command.kind === 'operators') {
    process.stdout.write(`${formatSupportedOperators()}\n`);
    return 0;
  }
  process.stdout.write(`Reading ONNX Model from ${command.modelPath}\nCompile started ...\n`);
  try {
    const result = await compile(command.modelPath, command.options);
    process.stdout.write(`${formatReport(result.report)}\n`);
    // The SDK leaves float16 accuracy to the user; here it is measured by default, since that is what decides deployment.
    if (result.report.fp16 !== undefined && command.fp16Accuracy !== false) process.stdout.write(`${await compileAccuracyText(command.modelPath, command.options)}\n`);
    if (result.cached) process.stdout.write('Program is up to date (same model and compile options): nothing recompiled\n');
    process.stdout.write(`Generated binary is present at ${result.programDir}\nOptions yaml file available at: ${result.optionsPath}\n`);
    return 0;
  } catch (error) {
    return reportFailure('qaic-exec', error, ['QAIC_INVALID_OPTION'], (text) => process.stderr.write(text));
  }
}

runMain('qaic-exec', () => main(process.argv.slice(2)));

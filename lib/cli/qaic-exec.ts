#!/usr/bin/env node
/**
 * `qaic-exec` (also installed as `qaic-compile`, the name of Qualcomm's newer tool): compile an ONNX model into a
 * program from the command line, with the SDK's flags (see `exec-args.ts` for the table). Prints the compile report;
 * exits 0 when compiled, 1 when the model could not be compiled, 2 for a bad command line.
 */
import { compile } from '../compiler/compile.js';
import { calibrate } from '../compiler/quant/calibrate.js';
import { resolveOptions, type SessionOptions } from '../options.js';
import type { Inputs } from '../tensor.js';
import { readInputList } from './input-list-file.js';
import { formatReport } from '../compiler/report.js';
import { formatSupportedOperators } from '../compiler/operators.js';
import { availableComputeUnits, COMPUTE_UNITS } from '../runtime/compute-units.js';
import { compileAccuracyText } from '../compiler/fp16/compile-accuracy.js';
import { formatInt8Accuracy, int8Accuracy } from '../compiler/quant/accuracy.js';
import { QaicError } from '../errors.js';
import { EXEC_SPEC, execUsage, parseExecArgs } from './exec-args.js';
import { optionFlags } from './flags.js';
import { checkOutputFolder } from './output-paths.js';
import { reportFailure, runIfMain, type CliIO } from './run-main.js';

/**
 * Run `qaic-exec` with `argv` (without `node` and the script); resolves with the exit code.
 *
 * @param tool the name it was called by (`qaic-exec` or `qaic-compile`), used in help and messages
 */
export async function runExec(argv: readonly string[], io: CliIO, tool = 'qaic-exec'): Promise<number> {
  const context = { tool, usageCodes: ['QAIC_INVALID_OPTION'] as const, optionFlags: optionFlags(EXEC_SPEC) };
  let command;
  try {
    command = parseExecArgs(argv, process.cwd(), tool);
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
  if (command.kind === 'help') {
    io.out(`${execUsage(tool)}\n`);
    return 0;
  }
  if (command.kind === 'compute-units') {
    const found = await availableComputeUnits();
    for (const unit of COMPUTE_UNITS) {
      const s = found.status[unit];
      io.out(s.available ? `${unit}: available (onnxruntime provider '${s.provider}')\n` : `${unit}: not available: ${s.reason}\n`);
    }
    return 0;
  }
  if (command.kind === 'operators') {
    io.out(`${formatSupportedOperators()}\n`);
    return 0;
  }
  if (command.kind === 'profile') {
    try {
      const options = resolveOptions({ ...command.options, allow_oversubscription: true });
      const list = readInputList(command.inputListFile, command.modelPath, options.onnx_define_symbol, options.batchsize, tool);
      io.out(`Reading ONNX Model from ${command.modelPath}\nProfiling on ${list.count} input set(s) from ${command.inputListFile} ...\n`);
      const profile = await calibrate(command.modelPath, list.inputs, {
        onnx_define_symbol: options.onnx_define_symbol, ...(options.batchsize === undefined ? {} : { batchsize: options.batchsize }),
        num_histogram_bins: options.num_histogram_bins, dump_profile: command.dumpProfile,
      });
      io.out(`Profile of ${profile.tensors.size} tensors (${profile.bins} bins) written to ${command.dumpProfile}\nCompile with -load-profile=${command.dumpProfile} (and the same flags) to quantize\n`);
      return 0;
    } catch (error) {
      return reportFailure(context, error, io.err);
    }
  }
  try {
    // The output folder is created, but never its parents: a typo in the path must not leave folders behind.
    checkOutputFolder(tool, '-aic-binary-dir', command.outputDir);
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
  process.stdout.write(`Reading ONNX Model from ${command.modelPath}\nCompile started ...\n`);
  try {
    let options = command.options;
    if (command.inputListFile !== undefined) {
      const resolved = resolveOptions({ ...command.options, calibration_inputs: [], allow_oversubscription: true });
      options = { ...options, calibration_inputs: readInputList(command.inputListFile, command.modelPath, resolved.onnx_define_symbol, resolved.batchsize, tool).inputs };
    }
    const result = await compile(command.modelPath, options);
    process.stdout.write(`${formatReport(result.report)}\n`);
    // The SDK leaves float16 accuracy to the user; here it is measured by default, since that is what decides deployment.
    // With int8 too, the int8 report below measures the whole program (int8 and float16 parts) against float32.
    if (result.report.fp16 !== undefined && result.report.quantization === undefined && command.fp16Accuracy !== false) process.stdout.write(`${await compileAccuracyText(command.modelPath, command.options)}\n`);
    // The SDK leaves int8 accuracy to its separate tools; here it is measured by default, on evaluation inputs
    // when given (the calibration inputs are refused), else on seeded random ones (and the report says so).
    if (result.report.quantization !== undefined && command.int8Accuracy !== false) {
      process.stdout.write(`${await int8AccuracyText(command, options, tool)}\n`);
    }
    if (result.cached) process.stdout.write('Program is up to date (same model and compile options): nothing recompiled\n');
    process.stdout.write(`Generated binary is present at ${result.programDir}\nOptions yaml file available at: ${result.optionsPath}\n`);
    return 0;
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
}

/** The int8 accuracy report as text, or one line saying why it could not be measured (it never fails the compile). */
async function int8AccuracyText(command: { modelPath: string; accuracyInputListFile?: string; accuracyMapThreshold?: number }, options: SessionOptions, tool: string): Promise<string> {
  try {
    let inputs: Iterable<Inputs> | undefined;
    if (command.accuracyInputListFile !== undefined) {
      const resolved = resolveOptions({ ...options, calibration_inputs: [], allow_oversubscription: true });
      inputs = readInputList(command.accuracyInputListFile, command.modelPath, resolved.onnx_define_symbol, resolved.batchsize, tool).inputs;
    }
    const report = await int8Accuracy(command.modelPath, options, {
      ...(inputs === undefined ? {} : { inputs }),
      ...(command.accuracyMapThreshold === undefined ? {} : { mapThreshold: command.accuracyMapThreshold }),
    });
    return formatInt8Accuracy(report);
  } catch (error) {
    const code = error instanceof QaicError ? ` [${error.code}]` : '';
    return `Int8 accuracy: not measured${code}: ${(error as Error).message.split('\n')[0]}`;
  }
}

runIfMain(import.meta.url, 'qaic-exec', runExec);

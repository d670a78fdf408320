/**
 * The command line of `qaic-exec`, in the SDK's single-dash syntax (`-m=model.onnx`, `-onnx-define-symbol=batch,1`,
 * `-compile-only`), parsed into compile options. Pure: no I/O, so every rule is testable.
 */
import { QaicError } from '../errors.js';
import { NO_EFFECT_OPTIONS, closest, type SessionOptions } from '../options.js';

/** What the command line asks for. */
export type ExecCommand =
  | { kind: 'help' }
  | { kind: 'operators'; framework: string }
  | { kind: 'compile'; modelPath: string; options: SessionOptions; outputDir: string; noEffect: string[]; fp16Accuracy?: false };

/** Flags with meaning here; values: 'path', 'int', 'symbol' (repeatable), 'flag' (no value). */
const FLAGS: Record<string, 'path' | 'int' | 'symbol' | 'flag' | 'framework'> = {
  m: 'path', model: 'path', 'onnx-define-symbol': 'symbol', batchsize: 'int', 'aic-num-cores': 'int', 'aic-binary-dir': 'path',
  'convert-to-fp16': 'flag', 'fp16-clip': 'flag', 'no-fp16-accuracy': 'flag', 'operators-supported': 'framework', h: 'flag', help: 'flag', usage: 'flag',
};

const NO_EFFECT_FLAGS = NO_EFFECT_OPTIONS.map((o) => o.replace(/_/g, '-'));

/** The usage text `-h` prints. */
export const EXEC_USAGE = `Usage: qaic-exec -m=<model.onnx> [options]

Compile an ONNX model into a program (a folder with programqpc.bin and options.yaml) for qaic's onnxruntime CPU backend.

  -m=<path>, -model=<path>           ONNX model to compile (required)
  -aic-binary-dir=<dir>              output folder (default: ./<model name>_qpc)
  -onnx-define-symbol=<name>,<size>  fix a symbolic dimension; repeat once per symbol
  -batchsize=<n>                     fix the first dimension of every input whose first dimension is symbolic
  -aic-num-cores=<n>                 cores per activation (recorded in options.yaml)
  -convert-to-fp16                   store weights and compute in float16 where possible, then print how far
                                     the outputs moved (float32 vs float16 on seeded random inputs)
  -fp16-clip                         with -convert-to-fp16: clip constants beyond +-65504 instead of making them
                                     infinite (the count is reported either way)
  -no-fp16-accuracy                  with -convert-to-fp16: skip that accuracy report
  -compile-only                      accepted: compiling never runs inferences here
  -operators-supported=onnx          list the ONNX operators (domain, opset versions) the CPU backend runs
  -h, -help, --usage                 this text

Accepted and recorded, with no effect on the CPU backend:
  ${NO_EFFECT_FLAGS.map((f) => `-${f}`).join(' ')}

Exit codes: 0 compiled, 1 the model could not be compiled, 2 bad command line.`;

function usageError(message: string, details: Record<string, unknown> = {}): QaicError {
  return new QaicError('QAIC_CLI_USAGE', `${message} (run 'qaic-exec -h' for usage)`, { details });
}

function intValue(flag: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw usageError(`-${flag} expects a positive integer, as in -${flag}=4; got ${raw === undefined ? 'no value' : `'${raw}'`}`, { flag });
  return Number(raw);
}

function noEffectValue(raw: string | undefined): unknown {
  if (raw === undefined) return true;
  return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/**
 * Parse `qaic-exec` arguments (without `node` and the script).
 *
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown flag (naming the nearest known one), a missing or malformed
 *   value, a missing `-m`, or a repeated single-valued flag
 */
export function parseExecArgs(argv: readonly string[], cwd = '.'): ExecCommand {
  let modelPath: string | undefined;
  let outputDir: string | undefined;
  const symbols: Array<[string, number]> = [];
  const options: SessionOptions = {};
  const noEffect: string[] = [];
  let operators: string | undefined;
  let fp16Accuracy: false | undefined;
  for (const arg of argv) {
    const match = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (match === null) throw usageError(`unexpected argument '${arg}': flags look like -name or -name=value`, { argument: arg });
    const name = match[1]!.toLowerCase().replace(/_/g, '-');
    const value = match[2];
    const kind = FLAGS[name];
    if (kind === undefined) {
      if (NO_EFFECT_FLAGS.includes(name)) {
        (options as Record<string, unknown>)[name.replace(/-/g, '_')] = noEffectValue(value);
        noEffect.push(name);
        continue;
      }
      const suggestion = closest(name, [...Object.keys(FLAGS), ...NO_EFFECT_FLAGS]);
      throw usageError(`unknown flag '${arg}'${suggestion === undefined ? '' : `; did you mean '-${suggestion}'?`}`, { flag: name, ...(suggestion === undefined ? {} : { suggestion: `-${suggestion}` }) });
    }
    if (kind === 'flag') {
      if (value !== undefined) throw usageError(`-${name} takes no value, got '${arg}'`, { flag: name });
      if (name === 'h' || name === 'help' || name === 'usage') return { kind: 'help' };
      if (name === 'no-fp16-accuracy') fp16Accuracy = false;
      else if (name === 'fp16-clip') options.fp16_clip = true;
      else options.convert_to_fp16 = true;
      continue;
    }
    if (value === undefined || value === '') throw usageError(`-${name} needs a value, as in -${name}=${kind === 'symbol' ? 'batch,1' : kind === 'int' ? '1' : kind === 'framework' ? 'onnx' : '<path>'}`, { flag: name });
    switch (kind) {
      case 'framework':
        operators = value.toLowerCase();
        break;
      case 'path':
        if (name === 'm' || name === 'model') {
          if (modelPath !== undefined) throw usageError(`the model is given twice ('${modelPath}' and '${value}'); compile one model per run`, { flag: name });
          modelPath = value;
        } else {
          if (outputDir !== undefined) throw usageError(`-aic-binary-dir is given twice ('${outputDir}' and '${value}')`, { flag: name });
          outputDir = value;
        }
        break;
      case 'int':
        if (name === 'batchsize') options.batchsize = intValue(name, value);
        else options.aic_num_cores = intValue(name, value);
        break;
      case 'symbol': {
        const comma = value.lastIndexOf(',');
        const symbol = comma > 0 ? value.slice(0, comma) : '';
        const size = comma > 0 ? value.slice(comma + 1) : '';
        if (symbol === '' || !/^\d+$/.test(size)) throw usageError(`-onnx-define-symbol expects <name>,<size>, as in -onnx-define-symbol=batch,1; got '${value}'`, { flag: name });
        symbols.push([symbol, Number(size)]);
        break;
      }
    }
  }
  if (operators !== undefined) {
    if (operators !== 'onnx') throw usageError(`-operators-supported=${operators}: only 'onnx' models are supported by this backend (the SDK also lists tensorflow, pytorch, caffe, caffe2)`, { flag: 'operators-supported' });
    return { kind: 'operators', framework: operators };
  }
  if (modelPath === undefined) throw usageError('no model given: pass -m=<model.onnx>', { flag: 'm' });
  if (symbols.length > 0) options.onnx_define_symbol = symbols;
  const stem = (modelPath.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, '');
  const dir = outputDir ?? `${cwd.replace(/\/$/, '')}/${stem}_qpc`;
  options.output_dir = dir;
  return { kind: 'compile', modelPath, options, outputDir: dir, noEffect, ...(fp16Accuracy === false ? { fp16Accuracy } : {}) };
}

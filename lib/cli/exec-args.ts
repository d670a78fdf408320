/**
 * The command line of `qaic-exec` (also called `qaic-compile`, the name of Qualcomm's newer tool), in the SDK's
 * single-dash syntax (`-m=model.onnx`, `-onnx-define-symbol=batch,1`, `-compile-only`), parsed into compile
 * options. The flags are one table ({@link EXEC_SPEC}) read by the shared parser and help generator. Pure: no I/O.
 */
import { NO_EFFECT_OPTIONS, SPECS, type ComputeUnitName, type SessionOptions } from '../options.js';
import { formatHelp, parseFlags, usageError, wantsHelp, type ToolSpec } from './flags.js';

/** What the command line asks for. */
export type ExecCommand =
  | { kind: 'help' }
  | { kind: 'operators'; framework: string }
  /** `-list-compute-units`: which compute units this host has, and why not for the others */
  | { kind: 'compute-units' }
  | { kind: 'compile'; modelPath: string; options: SessionOptions; outputDir: string; noEffect: string[]; fp16Accuracy?: false; inputListFile?: string; int8Accuracy?: false; accuracyInputListFile?: string; accuracyMapThreshold?: number }
  /** `-dump-profile` with `-input-list-file`: profile only, as the SDK's qaic-exec does */
  | { kind: 'profile'; modelPath: string; options: SessionOptions; dumpProfile: string; inputListFile: string };

const choices = (option: 'quantization_precision' | 'quantization_schema_activations' | 'quantization_schema_constants' | 'quantization_calibration' | 'quantization_precision_bias'): readonly string[] => SPECS[option].values!;

const NO_EFFECT_FLAGS = NO_EFFECT_OPTIONS.map((o) => o.replace(/_/g, '-'));

/** The flag table, description and footer of `qaic-exec`. */
export const EXEC_SPEC: ToolSpec = {
  tool: 'qaic-exec',
  syntax: 'sdk',
  synopsis: '-m=<model.onnx> [options]',
  description: "Compile an ONNX model into a program (a folder with programqpc.bin and options.yaml) for qaic's onnxruntime CPU backend.",
  flags: [
    { key: 'model', names: ['-m', '-model'], kind: 'string', meta: '<path>', example: 'model.onnx', help: 'ONNX model to compile (required)' },
    { key: 'outputDir', names: ['-aic-binary-dir'], kind: 'string', meta: '<dir>', example: 'model_qpc', option: 'output_dir', help: 'output folder (default: ./<model name>_qpc)' },
    { key: 'symbols', names: ['-onnx-define-symbol'], kind: 'symbol', repeat: true, meta: '<name>,<size>', option: 'onnx_define_symbol', help: 'fix a symbolic dimension; repeat once per symbol' },
    { key: 'specializations', names: ['-network-specialization-config'], kind: 'string', meta: '<file.json>', example: 'specializations.json', option: 'network_specialization_config', help: 'compile one graph per specialization of a QEfficient-style JSON file\n({"specializations": [{"seq_len": "32"}, ...]}) into one program whose graphs\nshare every weight; a Session picks the graph per run by input shape' },
    { key: 'batchsize', names: ['-batchsize'], kind: 'int', min: 1, meta: '<n>', option: 'batchsize', help: 'fix the first dimension of every input whose first dimension is symbolic' },
    { key: 'cores', names: ['-aic-num-cores'], kind: 'int', min: 1, max: 1024, meta: '<n>', option: 'aic_num_cores', help: 'cores per activation (recorded in options.yaml)' },
    { key: 'fp16', names: ['-convert-to-fp16'], kind: 'flag', option: 'convert_to_fp16', help: 'store weights and compute in float16 where possible, then print how far\nthe outputs moved (float32 vs float16 on seeded random inputs)' },
    { key: 'keep', names: ['-keep-original-precision-for-nodes'], kind: 'list', meta: '<op or node,...>', example: 'Softmax,LayerNormalization', option: 'keep_original_precision_for_nodes', help: 'with -convert-to-fp16: operator types or node names kept in float32' },
    { key: 'fp16Clip', names: ['-fp16-clip'], kind: 'flag', option: 'fp16_clip', help: 'with -convert-to-fp16: clip constants beyond +-65504 instead of making them\ninfinite (the count is reported either way)' },
    { key: 'noFp16Accuracy', names: ['-no-fp16-accuracy'], kind: 'flag', help: 'with -convert-to-fp16: skip that accuracy report' },
    { key: 'loadProfile', names: ['-load-profile'], kind: 'string', meta: '<file>', example: 'profile.json', option: 'load_profile', help: 'compile int8 with this quantization profile (of this model, at these dims)' },
    { key: 'dumpProfile', names: ['-dump-profile'], kind: 'string', meta: '<file>', example: 'profile.json', option: 'dump_profile', help: 'with -input-list-file: profile the model on those inputs, write the profile\nand stop (no program), as the SDK does' },
    { key: 'inputList', names: ['-input-list-file'], kind: 'string', meta: '<file>', example: 'list.txt', help: 'calibration inputs: one line per inference, its raw input files\ncomma-separated in model-input order, each of the input\'s exact size' },
    { key: 'convertToQuantize', names: ['-convert-to-quantize'], kind: 'flag', option: 'convert_to_quantize', help: 'with -input-list-file: profile and compile int8 in one step' },
    { key: 'nodePrecision', names: ['-node-precision-info', '-node-precision-info-file'], kind: 'string', meta: '<yaml>', example: 'fp16_nodes.yaml', option: 'node_precision_info_file', help: 'when quantizing: YAML whose FP16NodeInstanceNames lists the first output of\neach node to keep out of int8 (run in float32 here)' },
    { key: 'noInt8Accuracy', names: ['-no-int8-accuracy'], kind: 'flag', help: 'when quantizing: skip the int8 accuracy report (float32 vs int8 per output,\nand the quantized nodes that lose the most)' },
    { key: 'accuracyList', names: ['-accuracy-input-list-file'], kind: 'string', meta: '<file>', example: 'eval.txt', help: 'when quantizing: evaluation inputs of the int8 accuracy report (the\n-input-list-file format; not the calibration inputs). Default: 2 seeded\nrandom input sets' },
    { key: 'accuracyThreshold', names: ['-accuracy-map-threshold'], kind: 'number', meta: '<x>', example: '0.3', help: 'when quantizing: the threshold of the report\'s map IoU (default 0.3)' },
    { key: 'precision', names: ['-quantization-precision'], kind: 'choice', choices: choices('quantization_precision'), meta: 'Int8', option: 'quantization_precision', help: 'quantized precision; only Int8 is supported (default Int8)' },
    { key: 'schemaActivations', names: ['-quantization-schema-activations'], kind: 'choice', choices: choices('quantization_schema_activations'), meta: '<schema>', option: 'quantization_schema_activations', help: 'asymmetric, symmetric, symmetric_with_uint8 (default) or\nsymmetric_with_power2_scale' },
    { key: 'schemaConstants', names: ['-quantization-schema-constants'], kind: 'choice', choices: choices('quantization_schema_constants'), meta: '<schema>', option: 'quantization_schema_constants', help: 'the same schemas, for weights (default symmetric_with_uint8)' },
    { key: 'calibration', names: ['-quantization-calibration'], kind: 'choice', choices: choices('quantization_calibration'), meta: '<method>', option: 'quantization_calibration', help: 'None (min/max, default), Percentile, KLMinimization, KLMinimizationV2,\nMSE or SQNR' },
    { key: 'percentile', names: ['-percentile-calibration-value'], kind: 'number', min: 90, max: 100, meta: '<90..100>', example: '99.99', option: 'percentile_calibration_value', help: 'percentile kept by -quantization-calibration=Percentile (default 100)' },
    { key: 'bins', names: ['-num-histogram-bins'], kind: 'int', min: 2, max: 1 << 20, meta: '<n>', option: 'num_histogram_bins', help: 'histogram bins per profiled tensor (default 512)' },
    { key: 'keepStem', names: ['-keep-stem-nodes'], kind: 'int', min: 0, max: 1 << 20, meta: '<n>', option: 'keep_stem_nodes', help: 'when quantizing: keep the first n quantized nodes (the stem, which hurt\naccuracy most) in float; default 1 per 15 quantized nodes; 0 quantizes\nevery node it can, as the SDK' },
    { key: 'biasPrecision', names: ['-quantization-precision-bias'], kind: 'choice', choices: choices('quantization_precision_bias'), meta: 'Int32|Int8', option: 'quantization_precision_bias', help: 'bias precision (default Int32, which onnxruntime fuses)' },
    { key: 'channelwise', names: ['-enable-channelwise'], kind: 'flag', option: 'enable_channelwise', help: 'per-output-channel Conv weight scales (on by default here)' },
    { key: 'rowwise', names: ['-enable-rowwise'], kind: 'flag', option: 'enable_rowwise', help: 'per-output-column MatMul/Gemm weight scales' },
    { key: 'operators', names: ['-operators-supported'], kind: 'choice', choices: ['onnx'], meta: 'onnx', help: 'list the ONNX operators (domain, opset versions) the CPU backend runs' },
    { key: 'isolation', names: ['-isolation'], kind: 'choice', choices: SPECS.isolation.values!, meta: 'thread|process', example: 'process', option: 'isolation', help: "where onnxruntime optimizes the graph (default thread); process: a child process,\nso a fault while folding constants (SIGFPE) is an error, not a crash" },
    { key: 'computeUnit', names: ['-compute-unit'], kind: 'list', meta: '<unit,...>', example: 'gpu,cpu', option: 'compute_unit', help: "compute units in fallback order (AI Hub's --compute_unit): cpu (default), gpu,\nnpu, all; a list without cpu is mandatory. A GPU program is optimized at 'basic'" },
    { key: 'listComputeUnits', names: ['-list-compute-units'], kind: 'flag', help: 'list the compute units this host has (cpu, gpu, npu), through which onnxruntime\nprovider, and why not for the others' },
    { key: 'help', names: ['-h', '-help', '-usage'], kind: 'flag', help: 'this text' },
  ],
  passthrough: NO_EFFECT_FLAGS,
  footer: `Accepted and recorded, with no effect on the CPU backend (-compile-only among them: compiling never runs
inferences here):
  ${NO_EFFECT_FLAGS.map((f) => `-${f}`).join(' ')}

Exit codes: 0 compiled, 1 the model could not be compiled, 2 bad command line.`,
};

/**
 * The usage text `-h` prints.
 *
 * @param tool the name the tool was called by (`qaic-exec` or `qaic-compile`)
 */
export function execUsage(tool = 'qaic-exec'): string {
  return formatHelp(EXEC_SPEC, tool);
}

/** The usage text of `qaic-exec` (see {@link execUsage} for the text under another name). */
export const EXEC_USAGE = execUsage();

function noEffectValue(raw: string | undefined): unknown {
  if (raw === undefined) return true;
  return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/**
 * Parse `qaic-exec` arguments (without `node` and the script).
 *
 * @param cwd folder the default output folder goes in
 * @param tool the name the tool was called by, for messages
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown flag (naming the nearest known one), a missing or malformed
 *   value, a missing `-m`, or a repeated single-valued flag
 */
export function parseExecArgs(argv: readonly string[], cwd = '.', tool = 'qaic-exec'): ExecCommand {
  if (wantsHelp(EXEC_SPEC, argv)) return { kind: 'help' };
  const { values, passthrough } = parseFlags(EXEC_SPEC, argv, tool);
  if (values.operators !== undefined) return { kind: 'operators', framework: values.operators as string };
  if (values.listComputeUnits === true) return { kind: 'compute-units' };
  const modelPath = values.model as string | undefined;
  if (modelPath === undefined) throw usageError(tool, 'no model given: pass -m=<model.onnx>', { flag: '-m' });
  const options: SessionOptions = {};
  const noEffect: string[] = [];
  for (const [name, value] of passthrough) {
    (options as Record<string, unknown>)[name.replace(/-/g, '_')] = noEffectValue(value);
    noEffect.push(name);
  }
  if (values.batchsize !== undefined) options.batchsize = values.batchsize as number;
  if (values.cores !== undefined) options.aic_num_cores = values.cores as number;
  if (values.fp16 === true) options.convert_to_fp16 = true;
  if (values.keep !== undefined) options.keep_original_precision_for_nodes = values.keep as string[];
  if (values.fp16Clip === true) options.fp16_clip = true;
  if (values.isolation !== undefined) options.isolation = values.isolation as 'thread' | 'process';
  if (values.computeUnit !== undefined) options.compute_unit = values.computeUnit as ComputeUnitName[];
  if (values.symbols !== undefined) options.onnx_define_symbol = values.symbols as Array<[string, number]>;
  if (values.specializations !== undefined) options.network_specialization_config = values.specializations as string;
  const quantization: Array<[string, keyof SessionOptions]> = [
    ['loadProfile', 'load_profile'], ['precision', 'quantization_precision'], ['schemaActivations', 'quantization_schema_activations'],
    ['schemaConstants', 'quantization_schema_constants'], ['calibration', 'quantization_calibration'], ['percentile', 'percentile_calibration_value'],
    ['bins', 'num_histogram_bins'], ['keepStem', 'keep_stem_nodes'], ['biasPrecision', 'quantization_precision_bias'], ['channelwise', 'enable_channelwise'],
    ['rowwise', 'enable_rowwise'], ['convertToQuantize', 'convert_to_quantize'], ['nodePrecision', 'node_precision_info_file'],
  ];
  for (const [key, option] of quantization) if (values[key] !== undefined) (options as Record<string, unknown>)[option] = values[key];
  const inputList = values.inputList as string | undefined;
  const dumpProfile = values.dumpProfile as string | undefined;
  if (dumpProfile !== undefined) {
    if (inputList === undefined) throw usageError(tool, '-dump-profile needs -input-list-file=<file>: the inputs to profile the model on', { flag: '-dump-profile' });
    if (values.convertToQuantize === true || values.loadProfile !== undefined) {
      throw usageError(tool, `-dump-profile cannot be combined with ${values.convertToQuantize === true ? '-convert-to-quantize' : '-load-profile'} (as in the SDK): profile first, then compile with -load-profile`, { flag: '-dump-profile' });
    }
    return { kind: 'profile', modelPath, options, dumpProfile, inputListFile: inputList };
  }
  if (inputList !== undefined && values.convertToQuantize !== true) {
    throw usageError(tool, '-input-list-file needs -dump-profile=<file> (profile only) or -convert-to-quantize (profile and compile int8)', { flag: '-input-list-file' });
  }
  if (values.convertToQuantize === true && inputList === undefined) {
    throw usageError(tool, '-convert-to-quantize needs -input-list-file=<file>: the inputs to calibrate on (random inputs are not used here)', { flag: '-convert-to-quantize' });
  }
  const stem = (modelPath.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, '');
  const dir = (values.outputDir as string | undefined) ?? `${cwd.replace(/\/$/, '')}/${stem}_qpc`;
  options.output_dir = dir;
  return {
    kind: 'compile', modelPath, options, outputDir: dir, noEffect,
    ...(values.noFp16Accuracy === true ? { fp16Accuracy: false as const } : {}),
    ...(inputList === undefined ? {} : { inputListFile: inputList }),
    ...(values.noInt8Accuracy === true ? { int8Accuracy: false as const } : {}),
    ...(values.accuracyList === undefined ? {} : { accuracyInputListFile: values.accuracyList as string }),
    ...(values.accuracyThreshold === undefined ? {} : { accuracyMapThreshold: values.accuracyThreshold as number }),
  };
}

/**
 * The accuracy report qaic-exec prints after a `-convert-to-fp16` compile: the source model with its dims fixed as
 * the compile fixed them, run in float32 and after the float16 pass, on the same seeded random inputs.
 */
import { QaicError } from '../../errors.js';
import { encodeModel, modelIO, readModelFile } from '../../onnx/model.js';
import { resolveOptions, type SessionOptions } from '../../options.js';
import { fixDims } from '../fix-dims.js';
import { fp16Accuracy, type AccuracyReport } from './accuracy.js';
import { convertToFp16 } from './convert.js';

/**
 * Measure how far `convert_to_fp16` moves a model's outputs, with the compile options of the program (symbols,
 * batch size, `keep_original_precision_for_nodes`, `fp16_clip`).
 *
 * @throws QaicError as {@link fp16Accuracy} does, e.g. `QAIC_INVALID_ARGUMENT` when an input dim stays symbolic
 */
export async function compileAccuracy(modelPath: string, options: SessionOptions, seed = 0): Promise<AccuracyReport> {
  const resolved = resolveOptions(options);
  const { model } = readModelFile(modelPath);
  fixDims(model, resolved.onnx_define_symbol, resolved.batchsize, `'${modelPath}'`);
  for (const spec of modelIO(model).inputs) {
    const k = (spec.shape ?? []).findIndex((d) => typeof d !== 'number');
    if (k >= 0) {
      const symbol = spec.shape![k];
      throw new QaicError('QAIC_INVALID_ARGUMENT', `input '${spec.name}' keeps a symbolic dim ${typeof symbol === 'string' ? `'${symbol}'` : `${k} (anonymous)`}, so no random input can be drawn: set onnx_define_symbol`
        + (typeof symbol === 'string' ? ` (qaic-exec: -onnx-define-symbol=${symbol},<size>)` : ''), { details: { input: spec.name, dim: k } });
    }
  }
  const fp32 = encodeModel(model);
  const fp16 = encodeModel(convertToFp16(model, { keepOriginalPrecisionFor: resolved.keep_original_precision_for_nodes, clip: resolved.fp16_clip }).model);
  return fp16Accuracy(fp32, fp16, { seed });
}

/** The report as qaic-exec prints it: one line per output. */
export function formatAccuracy(report: AccuracyReport): string {
  const lines = [`FP16 accuracy against float32 (${report.inputs === 'random' ? `random inputs, seed ${report.seed}` : 'given inputs'}):`];
  for (const o of report.outputs) {
    lines.push(`  ${o.name} [${o.dims.join(', ')}]: max abs error ${o.maxAbsError.toExponential(3)}, relative L2 error ${o.relativeL2Error.toExponential(3)}`
      + (o.top1Agreement === undefined ? '' : `, top-1 agreement ${(o.top1Agreement * 100).toFixed(1)}%`)
      + (o.nonFinite > 0 ? `, ${o.nonFinite} values inf/NaN in float16 only` : ''));
  }
  return lines.join('\n');
}

/** {@link compileAccuracy} formatted, or one line saying why it could not be measured (never throws). */
export async function compileAccuracyText(modelPath: string, options: SessionOptions): Promise<string> {
  try {
    return formatAccuracy(await compileAccuracy(modelPath, options));
  } catch (error) {
    const code = error instanceof QaicError ? ` [${error.code}]` : '';
    return `FP16 accuracy: not measured${code}: ${(error as Error).message.split('\n')[0]}`;
  }
}

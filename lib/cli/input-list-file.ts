/**
 * `qaic-exec -input-list-file=<file>`: the SDK's calibration input list. One line per inference; each line holds the
 * raw input files of that inference, comma-separated, in the model's input order (a trailing comma, as the SDK's
 * generators write, is allowed; blank lines and lines starting with `#` are skipped). A raw file is the tensor's
 * bytes (row-major, little-endian, no header) at the input's fixed shape, batch included. Relative paths are taken
 * from the current folder, as the SDK's tool does. Every file is read by `lib/files.ts` at exactly its input's size.
 */
import { resolve } from 'node:path';
import { QaicError } from '../errors.js';
import { allocate, bytesPerElement, isDType } from '../dtypes.js';
import { readRegularFileSync, readRegularTextFileSync } from '../files.js';
import { decodeModel, modelIO } from '../onnx/model.js';
import { fixDims } from '../compiler/fix-dims.js';
import type { InputTensor } from '../tensor.js';
import { usageError } from './flags.js';

/** The largest list file read: 64 MiB of paths. */
const MAX_LIST_BYTES = 64 * 2 ** 20;
/** The largest model read to learn the input shapes: 2 GiB, onnxruntime's protobuf limit. */
const MAX_MODEL_BYTES = 2 * 2 ** 30;

/** A parsed input list: the inference count and the inputs, read lazily (one inference's files at a time). */
export interface InputList {
  /** inferences (non-blank lines) */
  count: number;
  /** each inference's inputs, read from its files when iterated */
  inputs: Iterable<Record<string, InputTensor>>;
}

/**
 * Parse `listPath` against the model's inputs at the given fixed dims.
 *
 * @throws QaicError `QAIC_CLI_USAGE` for a list with no line, a line with another number of files than the model has
 *   inputs, or an input whose shape stays symbolic (naming `-onnx-define-symbol`); `QAIC_FILE_NOT_FOUND` /
 *   `QAIC_FILE_INVALID` for the list, the model or a raw file (a raw file of the wrong size names the input, the
 *   bytes expected and found); `QAIC_INPUT_DTYPE` for string inputs
 */
export function readInputList(listPath: string, modelPath: string, symbols: Readonly<Record<string, number>>, batchsize: number | undefined, tool = 'qaic-exec'): InputList {
  const text = readRegularTextFileSync(listPath, { what: 'input list file (-input-list-file)', maxBytes: MAX_LIST_BYTES });
  const model = decodeModel(readRegularFileSync(modelPath, { what: 'model file', maxBytes: MAX_MODEL_BYTES }), `'${modelPath}'`);
  fixDims(model, symbols, batchsize, `'${modelPath}'`);
  const specs = modelIO(model).inputs;
  const inputs = specs.map((spec) => {
    const dtype = spec.dtype;
    if (dtype === undefined || !isDType(dtype) || dtype === 'string') {
      throw new QaicError('QAIC_INPUT_DTYPE', `-input-list-file: input '${spec.name}' has element type ${String(dtype)}, which cannot be read from a raw file`, { details: { input: spec.name } });
    }
    const open = (spec.shape ?? ['?']).filter((d) => typeof d !== 'number');
    if (spec.shape === null || open.length > 0) {
      throw usageError(tool, `-input-list-file: input '${spec.name}' has symbolic dimensions (${open.join(', ')}), so its raw file size is unknown; fix each with -onnx-define-symbol=<name>,<size>`, { flag: '-input-list-file', input: spec.name });
    }
    const shape = spec.shape as number[];
    return { name: spec.name, dtype, shape, count: shape.reduce((a, b) => a * b, 1) };
  });
  const lines: Array<{ files: string[]; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const files = trimmed.split(',').map((f) => f.trim());
    if (files[files.length - 1] === '') files.pop();
    if (files.length !== inputs.length || files.some((f) => f === '')) {
      throw usageError(tool, `-input-list-file '${listPath}' line ${i + 1}: the model has ${inputs.length} input(s) (${inputs.map((s) => s.name).join(', ')}), so each line lists ${inputs.length} raw file(s), comma-separated, in that order; got ${files.filter((f) => f !== '').length}`, {
        flag: '-input-list-file', line: i + 1,
      });
    }
    lines.push({ files: files.map((f) => resolve(f)), line: i + 1 });
  });
  if (lines.length === 0) throw usageError(tool, `-input-list-file '${listPath}' lists no inference: give one line of raw input files per inference`, { flag: '-input-list-file' });
  function* read(): Generator<Record<string, InputTensor>> {
    for (const { files, line } of lines) {
      const out: Record<string, InputTensor> = {};
      inputs.forEach((spec, k) => {
        const bytes = readRegularFileSync(files[k]!, {
          what: `raw file for input '${spec.name}' (${spec.dtype} [${spec.shape.join(', ')}], -input-list-file line ${line})`,
          expectedBytes: spec.count * bytesPerElement(spec.dtype),
        });
        const data = allocate(spec.dtype, spec.count) as Exclude<ReturnType<typeof allocate>, string[]>;
        new Uint8Array(data.buffer).set(bytes);
        out[spec.name] = { data, shape: [...spec.shape], dtype: spec.dtype };
      });
      yield out;
    }
  }
  return { count: lines.length, inputs: { [Symbol.iterator]: read } };
}

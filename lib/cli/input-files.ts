/**
 * `qaic-runner -i`: raw binary input files, one per model input in the model's input order, as the SDK reads them
 * (the file is the tensor's bytes, row-major, native little-endian, no header).
 */
import { readFileSync } from 'node:fs';
import { QaicError } from '../errors.js';
import { allocate, bytesPerElement, isDType } from '../dtypes.js';
import type { Dim } from '../onnx/model.js';
import type { InputTensor } from '../tensor.js';

/**
 * Read one raw file per input.
 *
 * @param files paths, in the model's input order
 * @param shapes `session.modelInputShapeDict` (fixed shapes needed)
 * @throws QaicError `QAIC_CLI_USAGE` when the number of files differs from the number of inputs,
 *   `QAIC_FILE_NOT_FOUND` for an unreadable file, `QAIC_INPUT_SHAPE` when a file's size is not the input's size
 *   (naming the file, the input, the bytes expected and found), `QAIC_INPUT_DTYPE` for string inputs
 */
export function readInputFiles(files: readonly string[], shapes: Record<string, [Dim[], string]>): Record<string, InputTensor> {
  const names = Object.keys(shapes);
  if (files.length !== names.length) {
    throw new QaicError('QAIC_CLI_USAGE', `-i: the program has ${names.length} input(s) (${names.join(', ')}), so give ${names.length} -i file(s) in that order; got ${files.length}`, {
      details: { flag: '-i', expected: names.length, given: files.length },
    });
  }
  const out: Record<string, InputTensor> = {};
  names.forEach((name, i) => {
    const file = files[i]!;
    const [shape, dtype] = shapes[name]!;
    if (!isDType(dtype) || dtype === 'string') {
      throw new QaicError('QAIC_INPUT_DTYPE', `-i ${file}: input '${name}' has element type ${dtype}, which cannot be read from a raw binary file`, { details: { input: name, file } });
    }
    if (shape.some((d) => typeof d !== 'number')) {
      throw new QaicError('QAIC_INPUT_SHAPE', `-i ${file}: input '${name}' has shape [${shape.join(', ')}] with symbolic dimensions; fix them with --onnx-define-symbol <name>,<size>`, { details: { input: name, file } });
    }
    const dims = shape as number[];
    const count = dims.reduce((a, b) => a * b, 1);
    const expected = count * bytesPerElement(dtype);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new QaicError('QAIC_FILE_NOT_FOUND', `-i: input file '${file}' (for input '${name}') cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error, details: { input: name, file } });
    }
    if (bytes.length !== expected) {
      throw new QaicError('QAIC_INPUT_SHAPE', `-i: input file '${file}' has ${bytes.length} bytes, but input '${name}' (${dtype} [${dims.join(', ')}]) needs ${expected} bytes`, {
        details: { input: name, file, expectedBytes: expected, givenBytes: bytes.length },
      });
    }
    const data = allocate(dtype, count) as Exclude<ReturnType<typeof allocate>, string[]>;
    new Uint8Array(data.buffer).set(bytes);
    out[name] = { data, shape: dims, dtype };
  });
  return out;
}

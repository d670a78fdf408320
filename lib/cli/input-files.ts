/**
 * `qaic-runner -i`: raw binary input files, one per model input in the model's input order, as the SDK reads them
 * (the file is the tensor's bytes, row-major, native little-endian, no header). Each file is read by `lib/files.ts`
 * as untrusted: a regular file of exactly the input's size, checked before a byte is read (so `-i /dev/zero` or a
 * 2 GB file of the wrong size fails at once).
 */
import { QaicError } from '../errors.js';
import { allocate, bytesPerElement, isDType } from '../dtypes.js';
import { readRegularFileSync } from '../files.js';
import type { Dim } from '../onnx/model.js';
import type { InputTensor } from '../tensor.js';
import { usageError } from './flags.js';

/**
 * Read one raw file per input.
 *
 * @param files paths, in the model's input order
 * @param shapes `session.modelInputShapeDict` (fixed shapes needed)
 * @param tool the name the tool was called by, for messages
 * @throws QaicError `QAIC_CLI_USAGE` when the number of files differs from the number of inputs, or an input has
 *   symbolic dimensions (naming `--onnx-define-symbol`); `QAIC_FILE_NOT_FOUND` for a missing or unreadable file;
 *   `QAIC_FILE_INVALID` for a file that is not a regular file or whose size is not the input's size (naming the
 *   file, the input, the bytes expected and found); `QAIC_INPUT_DTYPE` for string inputs
 */
export function readInputFiles(files: readonly string[], shapes: Record<string, [Dim[], string]>, tool = 'qaic-runner'): Record<string, InputTensor> {
  const names = Object.keys(shapes);
  if (files.length !== names.length) {
    throw usageError(tool, `-i: the program has ${names.length} input(s) (${names.join(', ')}), so give ${names.length} -i file(s) in that order; got ${files.length}`, {
      flag: '-i', expected: names.length, given: files.length,
    });
  }
  const out: Record<string, InputTensor> = {};
  names.forEach((name, i) => {
    const file = files[i]!;
    const [shape, dtype] = shapes[name]!;
    if (!isDType(dtype) || dtype === 'string') {
      throw new QaicError('QAIC_INPUT_DTYPE', `-i ${file}: input '${name}' has element type ${dtype}, which cannot be read from a raw binary file`, { details: { input: name, file } });
    }
    const open = shape.filter((d) => typeof d !== 'number');
    if (open.length > 0) {
      throw usageError(tool, `-i ${file}: input '${name}' has shape [${shape.join(', ')}] with symbolic dimensions (${open.join(', ')}), so its size is unknown; fix each with --onnx-define-symbol <name>,<size>`, { flag: '-i', input: name, file });
    }
    const dims = shape as number[];
    const count = dims.reduce((a, b) => a * b, 1);
    const expected = count * bytesPerElement(dtype);
    const bytes = readRegularFileSync(file, { what: `input file for '${name}' (-i, ${dtype} [${dims.join(', ')}])`, expectedBytes: expected });
    const data = allocate(dtype, count) as Exclude<ReturnType<typeof allocate>, string[]>;
    new Uint8Array(data.buffer).set(bytes);
    out[name] = { data, shape: dims, dtype };
  });
  return out;
}

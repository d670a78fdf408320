/**
 * A copy of a program's graph file with its weights stored inline instead of mapped from programqpc.bin: the same
 * graph and session options without shared weights, so the memory benchmark can show what sharing saves.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inlineExternalData } from '../../lib/compiler/build-program.js';
import { encodeModel, readModelFile } from '../../lib/onnx/model.js';

/** Write `graphPath`'s model with every external initializer read back into `raw_data`, to `outPath`. */
export function inlineWeights(graphPath: string, outPath: string): void {
  const { model } = readModelFile(graphPath);
  inlineExternalData(model, dirname(graphPath), graphPath);
  writeFileSync(outPath, encodeModel(model));
}

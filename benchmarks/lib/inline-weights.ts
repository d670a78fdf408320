/**
 * A copy of a program's graph file with its weights stored inline instead of mapped from programqpc.bin: the same
 * graph and session options without shared weights, so the memory benchmark can show what sharing saves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeModel, readModelFile } from '../../lib/onnx/model.js';

/** Write `graphPath`'s model with every external initializer read back into `raw_data`, to `outPath`. */
export function inlineWeights(graphPath: string, outPath: string): void {
  const { model } = readModelFile(graphPath);
  const files = new Map<string, Buffer>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.data_location !== 1) continue;
    const entry = (k: string): string | undefined => t.external_data?.find((e) => e.key === k)?.value;
    const file = join(dirname(graphPath), entry('location') ?? '');
    if (!files.has(file)) files.set(file, readFileSync(file));
    const offset = Number(entry('offset') ?? 0);
    const length = Number(entry('length'));
    t.raw_data = files.get(file)!.subarray(offset, offset + length);
    delete t.external_data;
    delete t.data_location;
  }
  writeFileSync(outPath, encodeModel(model));
}

// Decoding a real model and encoding it again gives back the file byte for byte (PP-OCRv4 det and rec and the
// mobile v2 classifier, as Paddle2ONNX wrote them).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { decodeModel, encodeModel, modelIO } from '../../lib/onnx/model.js';
import { CLS_MODEL, DET_MODEL, REC_MODEL } from '../fixtures/models.js';

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

for (const file of [DET_MODEL, REC_MODEL, CLS_MODEL]) {
  t.test(basename(file), async (t) => {
    const original = new Uint8Array(readFileSync(file));
    const model = decodeModel(original, file);
    const encoded = encodeModel(model);
    t.equal(encoded.length, original.length, 'same size');
    t.equal(firstDifference(encoded, original), -1, 'no byte differs (the index of the first one that does otherwise)');
    const again = decodeModel(encoded);
    t.same(modelIO(again), modelIO(model), 'the re-encoded model declares the same inputs and outputs');
    t.equal(again.graph?.node?.length, model.graph?.node?.length, 'and has the same nodes');
  });
}

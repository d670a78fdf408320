/**
 * Forging programs the way an attacker would: edit the manifest or a graph section and re-seal the file with valid
 * checksums (section SHA-256s, manifest SHA-256, header check), so that only the library's content checks stand
 * between the forgery and onnxruntime.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel, modelIO } from '../../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import type { ModelProto } from '../../lib/onnx/schema.js';
import { writeProgram } from '../../lib/program/write.js';
import { alignUp, decodeHeader, encodeHeader, sha256Hex, type Manifest } from '../../lib/program/format.js';
import { lcgFloats } from './helpers.js';

/** `y = x·w + b` with x [1, 64], w [64, 32] (8 KiB, external), b [32] (128 bytes, external). */
export function matmulModel(seed = 3): ModelProto {
  return model(graph({
    nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [1, 64])],
    outputs: [tensorInfo('y', 'float32', [1, 32])],
    initializers: [initializer('w', 'float32', [64, 32], lcgFloats(64 * 32, seed)), initializer('b', 'float32', [32], lcgFloats(32, seed + 1))],
  }));
}

/** The expected output of {@link matmulModel} for x = all ones, computed here in double precision. */
export function matmulOnes(seed = 3): Float64Array {
  const w = lcgFloats(64 * 32, seed);
  const b = lcgFloats(32, seed + 1);
  const y = new Float64Array(32);
  for (let j = 0; j < 32; j++) {
    let s = b[j]!;
    for (let i = 0; i < 64; i++) s += w[i * 32 + j]!;
    y[j] = s;
  }
  return y;
}

/** Write the one-graph program of {@link matmulModel} into `dir` (graph 'main'); returns the program file's bytes. */
export async function writeMatmulProgram(dir: string, seed = 3): Promise<Uint8Array> {
  const m = matmulModel(seed);
  const io = modelIO(m);
  await writeProgram(dir, [{ name: 'main', model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] }], {
    sources: [{ path: 'matmul.onnx', sha256: '0'.repeat(64) }], compileOptions: {},
  });
  return new Uint8Array(readFileSync(join(dir, 'programqpc.bin')));
}

/**
 * Re-seal a program after editing its manifest and/or its graphs: edited graph sections move to the end of the file
 * (their old place zeroed, as the format requires of gaps), and every checksum is recomputed.
 */
export function reseal(bytes: Uint8Array, edit: { manifest?: (m: Manifest) => void; graph?: (name: string, m: ModelProto) => void }): Uint8Array {
  const h = decodeHeader(bytes, bytes.byteLength, 1);
  if ('problem' in h) throw new Error(h.problem);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(h.manifestOffset, h.manifestOffset + h.manifestLength))) as Manifest;
  const body = new Uint8Array(bytes.subarray(0, h.manifestOffset));
  const moved: Array<{ offset: number; bytes: Uint8Array }> = [];
  let end = h.manifestOffset;
  if (edit.graph !== undefined) {
    for (const s of manifest.sections) {
      if (s.kind !== 'graph') continue;
      const m = decodeModel(body.subarray(s.offset, s.offset + s.length));
      edit.graph(s.graph!, m);
      const encoded = encodeModel(m);
      body.fill(0, s.offset, s.offset + s.length);
      const offset = alignUp(end, 64);
      moved.push({ offset, bytes: encoded });
      Object.assign(s, { offset, length: encoded.byteLength, sha256: sha256Hex(encoded) });
      end = offset + encoded.byteLength;
    }
  }
  edit.manifest?.(manifest);
  const mBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const mOffset = alignUp(end, 8);
  const out = new Uint8Array(mOffset + mBytes.byteLength);
  out.set(body, 0);
  for (const m of moved) out.set(m.bytes, m.offset);
  out.set(mBytes, mOffset);
  out.set(encodeHeader({ major: 1, minor: 0, fileBytes: out.byteLength, manifestOffset: mOffset, manifestLength: mBytes.byteLength, manifestSha256: sha256Hex(mBytes) }), 0);
  return out;
}

/** {@link reseal} the program file in `dir` in place. */
export function resealFile(dir: string, edit: Parameters<typeof reseal>[1]): void {
  const path = join(dir, 'programqpc.bin');
  writeFileSync(path, reseal(new Uint8Array(readFileSync(path)), edit));
}

/**
 * The child-process script that opens the program in `dir` with a Session and runs it once on x = ones [1, 64]
 * (reporting the output length, or the typed error), for {@link isolated}.
 */
export function runMatmulProgramScript(dir: string): string {
  return `
    const { Session } = await lib('session.js');
    report(await attempt(async () => {
      const session = new Session(${JSON.stringify(dir)});
      try { return (await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data.length; } finally { await session.close(); }
    }));
  `;
}

/**
 * The program container format, version 1: the byte layout of `programqpc.bin`, its header codec and the
 * manifest's shape. Writing lives in `write.ts`, reading and verification in `open.ts`.
 *
 * ```
 * offset 0      header, 128 bytes, little-endian
 *                 0  magic "QAICPROG" (8 bytes)
 *                 8  u16 format major version (readers refuse any other major)
 *                10  u16 format minor version (additions a v1 reader may ignore)
 *                12  u32 header length (128)
 *                16  u64 file length in bytes (a shorter file is truncated)
 *                24  u64 manifest offset
 *                32  u64 manifest length
 *                40  32 bytes SHA-256 of the manifest bytes
 *                72  48 bytes reserved, zero
 *               120  8 bytes: the first 8 bytes of SHA-256(header[0..120])
 * 4096          weight section: every externalised initializer once; tensors of 4096 bytes or more start on a
 *               4096-byte page, smaller ones on a 64-byte boundary (a page each would waste up to 4 KiB per bias)
 * (page)        graph sections, one per graph: an ONNX ModelProto whose initializers of 128 bytes or more are
 *               TensorProto external data (data_location=1; external_data location="programqpc.bin",
 *               offset=<absolute file offset>, length=<bytes>) pointing into the weight section
 * (8-aligned)   manifest: UTF-8 JSON ({@link Manifest}), covered by the header's SHA-256
 * ```
 *
 * Every byte of the file is verifiable: the header by its own hash, the manifest by the header's hash, each section
 * by the SHA-256 the manifest records for it, and every gap between them must be zero. Sections may not overlap,
 * may not reach into the header or past the end of the file, and the weight section must hold every weight the
 * manifest lists.
 *
 * How onnxruntime gets the graph: each graph's section is also written beside `programqpc.bin` as
 * `programqpc.<graph>.onnx` (regenerated from the section when missing or different). onnxruntime loads that file
 * by path, finds `programqpc.bin` relative to it and maps the weights from it. Loading by path (not from a buffer)
 * is what lets every activation share the same page-cache pages: with onnxruntime-node 1.30 on a 2-core VM, four
 * PP-OCRv4 rec sessions in four workers (graph saved at 'all' with external weights, loaded by path at 'disabled'
 * without prepacking) took 146 MiB of proportional memory (PSS) against 226 MiB for default sessions, the 10 MiB of
 * weights counted once in the page cache rather than once per session; benchmarks/program-memory.ts measures it again. The sharing only holds when onnxruntime does not rewrite weights at load, which is
 * why compiled graphs carry `graphOptimizationLevel: 'disabled'` and `session.disable_prepacking: '1'` in their
 * session options.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { ValueSpec } from '../onnx/model.js';
import type { ManifestGraph, ProgramProvenance } from './types.js';

/** The 8 magic bytes every program starts with. */
export const PROGRAM_MAGIC = 'QAICPROG';
/** Header length in bytes. */
export const HEADER_BYTES = 128;
/** Page size the weight section and large tensors are aligned to (Linux x86-64/arm64 default page). */
export const PAGE_BYTES = 4096;
/** Alignment of tensors smaller than a page. */
export const SMALL_TENSOR_ALIGN = 64;
/** Initializers smaller than this stay inline in the graph (shape constants, scalars): not worth a mapping. */
export const EXTERNAL_MIN_BYTES = 128;
/** Minor version this code writes. */
export const PROGRAM_FORMAT_MINOR = 0;
/** The program file name inside a program folder. */
export const PROGRAM_FILE = 'programqpc.bin';
/** Largest manifest a reader accepts before allocating it (a manifest is JSON about graphs, not weights). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** A section of the file, as the manifest records it. Offsets are absolute file offsets. */
export interface ManifestSection {
  /** the one weight section, or a graph section (one per graph) */
  kind: 'weights' | 'graph';
  /** graph name, for graph sections */
  graph?: string;
  /** absolute file offset in bytes (page-aligned for the weight section) */
  offset: number;
  /** length in bytes */
  length: number;
  /** SHA-256 of the section's bytes, lowercase hex (checked by `openProgram()`) */
  sha256: string;
}

/** One weight in the weight section. */
export interface ManifestWeight {
  /** initializer name */
  name: string;
  /** ONNX element type code and dims, so that link and tools can rebuild the tensor without the graph */
  dataType: number;
  /** the tensor's shape */
  dims: number[];
  /** absolute file offset in bytes (page-aligned for tensors of a page or more, else 64-aligned) */
  offset: number;
  /** length in bytes */
  length: number;
  /** SHA-256 of the tensor's bytes, lowercase hex: link stores a weight once when name and hash match */
  sha256: string;
}

/** The manifest: everything about the program except the bytes of its graphs and weights. */
export interface Manifest {
  /** container format version that wrote it: readers refuse another `major`, accept any `minor` */
  format: {
    /** major version: `PROGRAM_FORMAT_VERSION` (1) for files this code writes */
    major: number;
    /** minor version: additions an older reader of the same major may ignore */
    minor: number;
  };
  /** onnxruntime-node version the program was built with */
  onnxruntimeVersion: string;
  /** the qaic version that wrote it */
  writer: string;
  /** source models and compile options */
  provenance: ProgramProvenance;
  /** the graphs, in order */
  graphs: ManifestGraph[];
  /** every section of the file: the weight section and one per graph */
  sections: ManifestSection[];
  /** every stored weight (each distinct one once) */
  weights: ManifestWeight[];
}

/** The decoded fixed header. */
export interface ProgramHeader {
  major: number;
  minor: number;
  headerBytes: number;
  fileBytes: number;
  manifestOffset: number;
  manifestLength: number;
  manifestSha256: string;
}

/** SHA-256 as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Round `n` up to a multiple of `align`. */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** The sidecar ONNX file onnxruntime loads for a graph. */
export function graphFileName(graph: string): string {
  return `programqpc.${graph}.onnx`;
}

/** Graph names become file names: keep them to a safe, portable alphabet. */
export const GRAPH_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Encode the fixed header. */
export function encodeHeader(h: Omit<ProgramHeader, 'headerBytes'>): Uint8Array {
  const buf = new Uint8Array(HEADER_BYTES);
  const view = new DataView(buf.buffer);
  buf.set(new TextEncoder().encode(PROGRAM_MAGIC), 0);
  view.setUint16(8, h.major, true);
  view.setUint16(10, h.minor, true);
  view.setUint32(12, HEADER_BYTES, true);
  view.setBigUint64(16, BigInt(h.fileBytes), true);
  view.setBigUint64(24, BigInt(h.manifestOffset), true);
  view.setBigUint64(32, BigInt(h.manifestLength), true);
  buf.set(Buffer.from(h.manifestSha256, 'hex'), 40);
  buf.set(createHash('sha256').update(buf.subarray(0, 120)).digest().subarray(0, 8), 120);
  return buf;
}

/** Why a header was refused: `corrupt` or `version`, with a message fragment. */
export type HeaderProblem = { kind: 'corrupt' | 'version'; problem: string };

/**
 * Decode and check the fixed header against the real file size. Returns the header or the problem; never throws,
 * so that callers can attach the file name to a typed error.
 */
export function decodeHeader(buf: Uint8Array, actualFileBytes: number, supportedMajor: number): ProgramHeader | HeaderProblem {
  if (actualFileBytes < HEADER_BYTES || buf.length < HEADER_BYTES) {
    return { kind: 'corrupt', problem: `it is ${actualFileBytes} bytes long, shorter than the ${HEADER_BYTES}-byte header (truncated or not a program)` };
  }
  const magic = new TextDecoder().decode(buf.subarray(0, 8));
  if (magic !== PROGRAM_MAGIC) {
    return { kind: 'corrupt', problem: `it does not start with the magic "${PROGRAM_MAGIC}" (found ${JSON.stringify(magic)}); it is not a qaic program` };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, HEADER_BYTES);
  const expectedCheck = createHash('sha256').update(buf.subarray(0, 120)).digest().subarray(0, 8);
  if (!Buffer.from(buf.subarray(120, 128)).equals(expectedCheck)) {
    return { kind: 'corrupt', problem: 'its header checksum does not match (the header is damaged)' };
  }
  const major = view.getUint16(8, true);
  const minor = view.getUint16(10, true);
  if (major !== supportedMajor) {
    return { kind: 'version', problem: `it has container format version ${major}.${minor}; this qaic reads version ${supportedMajor}.x only (recompile the model with this qaic)` };
  }
  const headerBytes = view.getUint32(12, true);
  const fileBytes = view.getBigUint64(16, true);
  const manifestOffset = view.getBigUint64(24, true);
  const manifestLength = view.getBigUint64(32, true);
  if (headerBytes !== HEADER_BYTES) return { kind: 'corrupt', problem: `its header claims ${headerBytes} bytes, expected ${HEADER_BYTES}` };
  if (fileBytes !== BigInt(actualFileBytes)) {
    return { kind: 'corrupt', problem: `its header says the file is ${fileBytes} bytes but it is ${actualFileBytes} bytes (${fileBytes > BigInt(actualFileBytes) ? 'truncated' : 'extra bytes appended'})` };
  }
  if (manifestOffset < BigInt(HEADER_BYTES) || manifestOffset + manifestLength > fileBytes) {
    return { kind: 'corrupt', problem: `its header places the manifest at bytes ${manifestOffset}..${manifestOffset + manifestLength}, outside the file's ${HEADER_BYTES}..${actualFileBytes}` };
  }
  if (manifestLength === 0n || manifestLength > BigInt(MAX_MANIFEST_BYTES)) {
    return { kind: 'corrupt', problem: `its header claims a manifest of ${manifestLength} bytes (allowed: 1..${MAX_MANIFEST_BYTES})` };
  }
  for (let i = 72; i < 120; i++) {
    if (buf[i] !== 0) return { kind: 'corrupt', problem: `its reserved header byte ${i} is not zero` };
  }
  return {
    major,
    minor,
    headerBytes,
    fileBytes: Number(fileBytes),
    manifestOffset: Number(manifestOffset),
    manifestLength: Number(manifestLength),
    manifestSha256: Buffer.from(buf.subarray(40, 72)).toString('hex'),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isHash(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}

function isSpecList(v: unknown): v is ValueSpec[] {
  return Array.isArray(v) && v.every((s) => isObject(s) && typeof s.name === 'string' && typeof s.onnxType === 'number'
    && (s.shape === null || (Array.isArray(s.shape) && s.shape.every((d) => d === null || typeof d === 'string' || isCount(d)))));
}

/**
 * Check a parsed manifest's shape and every offset in it against the file. Returns a problem description, or
 * undefined when the manifest is sound. The manifest already passed its checksum, so a failure here means a writer
 * bug or a deliberately forged file; it is still reported, never trusted.
 */
export function manifestProblem(m: unknown, header: ProgramHeader): string | undefined {
  if (!isObject(m)) return 'its manifest is not a JSON object';
  if (!isObject(m.format) || m.format.major !== header.major) return 'its manifest format version disagrees with its header';
  if (typeof m.onnxruntimeVersion !== 'string') return 'its manifest has no onnxruntimeVersion';
  if (!isObject(m.provenance) || !Array.isArray(m.provenance.sources) || !isObject(m.provenance.compileOptions)) return 'its manifest has no valid provenance';
  if (!Array.isArray(m.graphs) || m.graphs.length === 0) return 'its manifest lists no graphs';
  if (!Array.isArray(m.sections) || !Array.isArray(m.weights)) return 'its manifest has no section or weight table';
  const names = new Set<string>();
  for (const g of m.graphs as unknown[]) {
    if (!isObject(g) || typeof g.name !== 'string' || !GRAPH_NAME_PATTERN.test(g.name)) return `its manifest has a graph with an invalid name (${JSON.stringify(isObject(g) ? g.name : g)})`;
    if (names.has(g.name)) return `its manifest lists graph '${g.name}' twice`;
    names.add(g.name);
    if (!isSpecList(g.inputs) || !isSpecList(g.outputs)) return `graph '${g.name}' has malformed input/output specs`;
    if (!isCount(g.batchSize) || g.batchSize === 0) return `graph '${g.name}' has an invalid batch size ${JSON.stringify(g.batchSize)}`;
    if (!isObject(g.sessionOptions)) return `graph '${g.name}' has no session options`;
    if (!Array.isArray(g.hostFeatures) || !g.hostFeatures.every((f) => typeof f === 'string')) return `graph '${g.name}' has malformed host features`;
  }
  const spans: Array<{ what: string; start: number; end: number }> = [
    { what: 'the header', start: 0, end: HEADER_BYTES },
    { what: 'the manifest', start: header.manifestOffset, end: header.manifestOffset + header.manifestLength },
  ];
  let weightSection: ManifestSection | undefined;
  const graphSections = new Set<string>();
  for (const s of m.sections as unknown[]) {
    if (!isObject(s) || !isCount(s.offset) || !isCount(s.length) || !isHash(s.sha256) || (s.kind !== 'weights' && s.kind !== 'graph')) {
      return `its manifest has a malformed section entry ${JSON.stringify(s).slice(0, 120)}`;
    }
    const what = s.kind === 'graph' ? `the section of graph '${String(s.graph)}'` : 'the weight section';
    if (s.offset + s.length > header.fileBytes) {
      return `its manifest places ${what} at bytes ${s.offset}..${s.offset + s.length}, past the end of the ${header.fileBytes}-byte file`;
    }
    spans.push({ what, start: s.offset, end: s.offset + s.length });
    if (s.kind === 'weights') {
      if (weightSection !== undefined) return 'its manifest lists two weight sections';
      weightSection = s as unknown as ManifestSection;
    } else {
      if (typeof s.graph !== 'string' || !names.has(s.graph)) return `its manifest has a graph section for unknown graph ${JSON.stringify(s.graph)}`;
      if (graphSections.has(s.graph)) return `its manifest has two sections for graph '${s.graph}'`;
      graphSections.add(s.graph);
    }
  }
  for (const name of names) if (!graphSections.has(name)) return `its manifest has no section for graph '${name}'`;
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.start < spans[i - 1]!.end) return `its manifest makes ${spans[i]!.what} overlap ${spans[i - 1]!.what}`;
  }
  if (m.weights.length > 0 && weightSection === undefined) return 'its manifest lists weights but no weight section';
  for (const w of m.weights as unknown[]) {
    if (!isObject(w) || typeof w.name !== 'string' || !isCount(w.offset) || !isCount(w.length) || !isHash(w.sha256)
      || typeof w.dataType !== 'number' || !Array.isArray(w.dims) || !w.dims.every(isCount)) {
      return `its manifest has a malformed weight entry ${JSON.stringify(w).slice(0, 120)}`;
    }
    const ws = weightSection!;
    if (w.offset < ws.offset || w.offset + w.length > ws.offset + ws.length) {
      return `its manifest places weight '${w.name}' at bytes ${w.offset}..${w.offset + w.length}, outside the weight section ${ws.offset}..${ws.offset + ws.length}`;
    }
  }
  return undefined;
}

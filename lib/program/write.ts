/**
 * Writing a program: move every graph's initializers into one weight section (each distinct name+content once),
 * point the graphs at it through ONNX external data, and write `programqpc.bin` atomically. The layout is
 * described in `format.ts`.
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { QaicError, describeValue } from '../errors.js';
import { encodeModel, tensorData } from '../onnx/model.js';
import { dtypeFromOnnx } from '../dtypes.js';
import type { ModelProto, TensorProto } from '../onnx/schema.js';
import {
  EXTERNAL_MIN_BYTES, GRAPH_NAME_PATTERN, HEADER_BYTES, PAGE_BYTES, PROGRAM_FILE, PROGRAM_FORMAT_MINOR, SMALL_TENSOR_ALIGN,
  alignUp, encodeHeader, graphFileName, sha256Hex,
  type Manifest, type ManifestSection, type ManifestWeight,
} from './format.js';
import { readManifestSync } from './open.js';
import { PROGRAM_FORMAT_VERSION, type GraphToStore, type ManifestGraph, type ProgramProvenance } from './types.js';

/** What {@link writeProgram} wrote. */
export interface WrittenProgram {
  /** path of the `programqpc.bin` written */
  path: string;
  /** its size in bytes */
  fileBytes: number;
  /** bytes of weight data stored (each distinct weight once, excluding alignment padding) */
  weightBytes: number;
  /** distinct weights stored */
  weightCount: number;
  /** stored weights that more than one graph uses (0 for a single graph) */
  sharedWeights: number;
  /** weight bytes saved by sharing: what storing every graph's weights separately would have added */
  dedupedBytes: number;
  /** SHA-256 of the manifest (lowercase hex): identifies the program's whole content (see `openProgram()`) */
  manifestSha256: string;
}

let ortVersion: string | undefined;
let writerVersion: string | undefined;

/**
 * The version of onnxruntime-node this process would load (read from its package.json, without loading it). Read
 * once per process: every compile() asks for it (it is part of the compile key), and it cannot change under a
 * running process.
 */
export function onnxruntimeVersion(): string {
  if (ortVersion !== undefined) return ortVersion;
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version?: unknown };
    ortVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    ortVersion = 'unknown';
  }
  return ortVersion;
}

/** This package's name and version, as the manifest's `writer` (read once per process). */
function qaicVersion(): string {
  if (writerVersion !== undefined) return writerVersion;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    writerVersion = `${pkg.name ?? 'qaic'} ${pkg.version ?? ''}`.trim();
  } catch {
    writerVersion = 'qaic';
  }
  return writerVersion;
}

/**
 * The little-endian bytes of an initializer that may move to the weight section, or undefined when it stays inline:
 * strings (ONNX external data cannot hold them), tensors already external, element types whose typed-field form
 * this library cannot convert, and tensors under {@link EXTERNAL_MIN_BYTES}.
 */
function externalBytes(t: TensorProto): Uint8Array | undefined {
  if (t.data_location === 1 || t.data_type === 8 /* STRING */) return undefined;
  let bytes: Uint8Array;
  if (t.raw_data !== undefined) {
    bytes = t.raw_data;
  } else {
    if (dtypeFromOnnx(t.data_type ?? 0) === undefined) return undefined;
    const { data } = tensorData(t);
    const view = data as Exclude<typeof data, string[]>;
    bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  return bytes.byteLength >= EXTERNAL_MIN_BYTES ? bytes : undefined;
}

/** Keep only the fields of a TensorProto that describe it, not its data. */
function withoutData(t: TensorProto): TensorProto {
  const { float_data: _f, int32_data: _i, string_data: _s, int64_data: _l, raw_data: _r, double_data: _d, uint64_data: _u, external_data: _e, data_location: _loc, ...rest } = t;
  return rest;
}

/**
 * Exporters such as paddle2onnx keep every weight in a `Constant` node instead of an initializer, where external data
 * cannot reach it. A main-graph `Constant` whose only attribute is a tensor `value` of {@link EXTERNAL_MIN_BYTES} or
 * more becomes an initializer named after the node's output: the same graph in ONNX semantics (onnxruntime does the
 * same conversion when it loads a model). Models with IR version < 4 are left alone, because there every initializer
 * must also be a graph input. Returns a new model; the caller's is not modified.
 */
function hoistConstants(model: ModelProto): ModelProto {
  const g = model.graph!;
  if (Number(model.ir_version ?? 0) < 4 || !(g.node ?? []).some((n) => n.op_type === 'Constant')) return model;
  const hoisted: TensorProto[] = [];
  const node = (g.node ?? []).filter((n) => {
    if (n.op_type !== 'Constant' || (n.domain ?? '') !== '' || n.output?.length !== 1 || n.attribute?.length !== 1) return true;
    const a = n.attribute[0]!;
    if (a.name !== 'value' || a.t === undefined || a.ref_attr_name !== undefined) return true;
    const t = { ...a.t, name: n.output[0]! };
    if (externalBytes(t) === undefined) return true;
    hoisted.push(t);
    return false;
  });
  if (hoisted.length === 0) return model;
  return { ...model, graph: { ...g, node, initializer: [...(g.initializer ?? []), ...hoisted] } };
}

function checkArguments(dir: unknown, graphs: unknown, provenance: unknown): asserts graphs is GraphToStore[] {
  if (typeof dir !== 'string' || dir === '') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: dir must be the program folder path, got ${describeValue(dir)}`, { details: { argument: 'dir' } });
  }
  if (!Array.isArray(graphs) || graphs.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs must be a non-empty array of graphs to store, got ${describeValue(graphs)}`, { details: { argument: 'graphs' } });
  }
  const seen = new Set<string>();
  for (const [i, g] of (graphs as unknown[]).entries()) {
    const name = (g as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !GRAPH_NAME_PATTERN.test(name)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs[${i}].name must match ${GRAPH_NAME_PATTERN} (it becomes a file name), got ${describeValue(name)}`, { details: { argument: `graphs[${i}].name` } });
    }
    if (seen.has(name)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graph name '${name}' is used twice; graph names must be unique within a program`, { details: { argument: `graphs[${i}].name` } });
    }
    seen.add(name);
    const graph = g as Partial<GraphToStore>;
    if (graph.model?.graph === undefined) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs[${i}] ('${name}') has no model with a graph`, { details: { argument: `graphs[${i}].model` } });
    }
    if (!Array.isArray(graph.inputs) || !Array.isArray(graph.outputs)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs[${i}] ('${name}') needs inputs and outputs spec arrays`, { details: { argument: `graphs[${i}].inputs` } });
    }
    if (!Number.isSafeInteger(graph.batchSize) || (graph.batchSize as number) < 1) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs[${i}] ('${name}') batchSize must be a positive integer, got ${describeValue(graph.batchSize)}`, { details: { argument: `graphs[${i}].batchSize` } });
    }
    if (!Array.isArray(graph.hostFeatures) || !graph.hostFeatures.every((f) => typeof f === 'string')) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graphs[${i}] ('${name}') hostFeatures must be an array of CPU flag names, got ${describeValue(graph.hostFeatures)}`, { details: { argument: `graphs[${i}].hostFeatures` } });
    }
  }
  const p = provenance as Partial<ProgramProvenance> | null;
  if (p === null || typeof p !== 'object' || !Array.isArray(p.sources) || typeof p.compileOptions !== 'object' || p.compileOptions === null) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: provenance must be { sources: [{path, sha256}], compileOptions: {...} }, got ${describeValue(provenance)}`, { details: { argument: 'provenance' } });
  }
}

interface StoredWeight {
  entry: ManifestWeight;
  bytes: Uint8Array;
  users: Set<string>;
}

/** A JSON round trip: the manifest must hold plain data, and a caller's later edits must not reach it. */
function plain<T>(value: T, what: string): T {
  try {
    return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as T;
  } catch (error) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: ${what} must be plain JSON data: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Write a program: `<dir>/programqpc.bin` plus one `programqpc.<graph>.onnx` per graph for onnxruntime to load.
 *
 * Weights: every main-graph initializer (and tensor `Constant` node, which is turned into an initializer first) of
 * 128 bytes (`EXTERNAL_MIN_BYTES`) or more moves to the weight section;
 * initializers with the same name AND the same bytes (across graphs) are stored once. Smaller ones, string tensors
 * and initializers inside subgraphs stay inline. The callers' models are not modified.
 *
 * The file is written to a temporary name in `dir` and renamed over `programqpc.bin`, so readers (and activations
 * that have the old file mapped) never see a half-written program.
 *
 * @param dir program folder; created when missing
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for malformed graphs or provenance (naming the field),
 *   `QAIC_FILE_NOT_FOUND` when the folder cannot be written
 */
export async function writeProgram(dir: string, graphs: GraphToStore[], provenance: ProgramProvenance): Promise<WrittenProgram> {
  checkArguments(dir, graphs, provenance);
  const weights = new Map<string, StoredWeight>();
  const ordered: StoredWeight[] = [];
  let referencedBytes = 0;
  // Pass 1: find each graph's external weights and give each distinct one a place.
  let cursor = PAGE_BYTES;
  const rewritten: Array<{ graph: GraphToStore; model: ModelProto; externals: Map<number, StoredWeight> }> = [];
  for (const g of graphs) {
    const externals = new Map<number, StoredWeight>();
    const model = hoistConstants(g.model);
    const inits = model.graph!.initializer ?? [];
    for (const [i, t] of inits.entries()) {
      if (t.data_location === 1) {
        // its location is relative to a model folder the writer does not know, and the graph file will not sit there
        throw new QaicError('QAIC_INVALID_ARGUMENT', `writeProgram: graph '${g.name}' initializer '${t.name ?? ''}' keeps its data in an external file (${(t.external_data ?? []).find((e) => e.key === 'location')?.value ?? '?'}); load its bytes inline (raw_data) before storing the graph`, {
          details: { argument: 'graphs', graph: g.name, initializer: t.name },
        });
      }
      const bytes = externalBytes(t);
      if (bytes === undefined) continue;
      const sha = sha256Hex(bytes);
      const key = `${t.name ?? ''}\u0000${sha}`;
      let stored = weights.get(key);
      if (stored === undefined) {
        cursor = alignUp(cursor, bytes.byteLength >= PAGE_BYTES ? PAGE_BYTES : SMALL_TENSOR_ALIGN);
        stored = {
          entry: { name: t.name ?? '', dataType: t.data_type ?? 0, dims: (t.dims ?? []).map(Number), offset: cursor, length: bytes.byteLength, sha256: sha },
          bytes,
          users: new Set(),
        };
        cursor += bytes.byteLength;
        weights.set(key, stored);
        ordered.push(stored);
      }
      stored.users.add(g.name);
      referencedBytes += bytes.byteLength;
      externals.set(i, stored);
    }
    rewritten.push({ graph: g, model, externals });
  }
  const weightEnd = cursor;
  const weightSectionLength = ordered.length === 0 ? 0 : weightEnd - PAGE_BYTES;

  // Pass 2: encode each graph with its initializers pointing into the weight section.
  const sections: ManifestSection[] = [];
  const graphBytes: Array<{ offset: number; bytes: Uint8Array }> = [];
  let offset = alignUp(ordered.length === 0 ? HEADER_BYTES : weightEnd, ordered.length === 0 ? SMALL_TENSOR_ALIGN : PAGE_BYTES);
  for (const { graph: g, model, externals } of rewritten) {
    const initializer = (model.graph!.initializer ?? []).map((t, i) => {
      const w = externals.get(i);
      if (w === undefined) return t;
      return {
        ...withoutData(t),
        data_location: 1,
        external_data: [
          { key: 'location', value: PROGRAM_FILE },
          { key: 'offset', value: String(w.entry.offset) },
          { key: 'length', value: String(w.entry.length) },
        ],
      } satisfies TensorProto;
    });
    const bytes = encodeModel({ ...model, graph: { ...model.graph!, initializer } });
    sections.push({ kind: 'graph', graph: g.name, offset, length: bytes.byteLength, sha256: sha256Hex(bytes) });
    graphBytes.push({ offset, bytes });
    offset = alignUp(offset + bytes.byteLength, SMALL_TENSOR_ALIGN);
  }

  const weightHash = createHash('sha256');
  if (ordered.length > 0) {
    let pos = PAGE_BYTES;
    for (const w of ordered) {
      if (w.entry.offset > pos) weightHash.update(new Uint8Array(w.entry.offset - pos));
      weightHash.update(w.bytes);
      pos = w.entry.offset + w.entry.length;
    }
    sections.unshift({ kind: 'weights', offset: PAGE_BYTES, length: weightSectionLength, sha256: weightHash.digest('hex') });
  }

  const manifestGraphs: ManifestGraph[] = graphs.map((g) => {
    const mg: ManifestGraph = {
      name: g.name,
      inputs: plain(g.inputs, `graph '${g.name}' inputs`),
      outputs: plain(g.outputs, `graph '${g.name}' outputs`),
      batchSize: g.batchSize,
      sessionOptions: plain(g.sessionOptions ?? {}, `graph '${g.name}' sessionOptions`),
      hostFeatures: [...g.hostFeatures],
    };
    if (g.report !== undefined) mg.report = plain(g.report, `graph '${g.name}' report`);
    return mg;
  });
  const manifest: Manifest = {
    format: { major: PROGRAM_FORMAT_VERSION, minor: PROGRAM_FORMAT_MINOR },
    onnxruntimeVersion: onnxruntimeVersion(),
    writer: qaicVersion(),
    provenance: plain(provenance, 'provenance'),
    graphs: manifestGraphs,
    sections,
    weights: ordered.map((w) => w.entry),
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const manifestOffset = alignUp(offset, 8);
  const fileBytes = manifestOffset + manifestBytes.byteLength;
  const header = encodeHeader({
    major: PROGRAM_FORMAT_VERSION,
    minor: PROGRAM_FORMAT_MINOR,
    fileBytes,
    manifestOffset,
    manifestLength: manifestBytes.byteLength,
    manifestSha256: sha256Hex(manifestBytes),
  });

  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `writeProgram: cannot create program folder '${dir}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error, details: { file: dir } });
  }
  const finalPath = join(dir, PROGRAM_FILE);
  let previousGraphs: string[] = [];
  const tempPath = join(dir, `.${PROGRAM_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tempPath, 'wx');
    try {
      // Positional writes leave the alignment gaps as holes, which read back as zeros.
      await handle.write(header, 0, header.byteLength, 0);
      for (const w of ordered) await handle.write(w.bytes, 0, w.bytes.byteLength, w.entry.offset);
      for (const g of graphBytes) await handle.write(g.bytes, 0, g.bytes.byteLength, g.offset);
      await handle.write(manifestBytes, 0, manifestBytes.byteLength, manifestOffset);
      await handle.truncate(fileBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // the graphs of the program this one replaces: their graph files are the only ones the clean-up may remove
    previousGraphs = graphsOfProgramIn(finalPath);
    await rename(tempPath, finalPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw new QaicError('QAIC_FILE_NOT_FOUND', `writeProgram: cannot write '${finalPath}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error, details: { file: finalPath } });
  }
  await writeGraphFiles(dir, graphBytes.map((g, i) => ({ name: graphs[i]!.name, bytes: g.bytes })), { stale: previousGraphs });

  return {
    path: finalPath,
    fileBytes,
    weightBytes: ordered.reduce((n, w) => n + w.entry.length, 0),
    weightCount: ordered.length,
    sharedWeights: ordered.filter((w) => w.users.size > 1).length,
    dedupedBytes: referencedBytes - ordered.reduce((n, w) => n + w.entry.length, 0),
    manifestSha256: sha256Hex(manifestBytes),
  };
}

/**
 * The graph names of the program at `path`, when one is there and its header and manifest verify; else none. A
 * missing or damaged program names no graph files, so nothing is removed on its account.
 */
function graphsOfProgramIn(path: string): string[] {
  try {
    return readManifestSync(path).manifest.graphs.map((g) => g.name);
  } catch {
    return [];
  }
}

/**
 * Write the graph files onnxruntime loads (atomically, each) and remove the graph files of `stale` graphs (those of
 * the program this one replaced) that the new program no longer has, so that a folder never keeps a graph file of a
 * different program. Only files this library wrote are removed: a user's own `programqpc.mine.onnx` stays.
 */
export async function writeGraphFiles(dir: string, graphs: Array<{ name: string; bytes: Uint8Array }>, options: { stale?: readonly string[] } = {}): Promise<void> {
  const keep = new Set(graphs.map((g) => g.name));
  for (const g of graphs) {
    const target = join(dir, graphFileName(g.name));
    const temp = join(dir, `.${graphFileName(g.name)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, g.bytes, { flag: 'wx' });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot write graph file '${target}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error, details: { file: target } });
    }
  }
  for (const name of options.stale ?? []) {
    if (!keep.has(name) && GRAPH_NAME_PATTERN.test(name)) await rm(join(dir, graphFileName(name)), { force: true });
  }
}

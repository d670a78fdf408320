/**
 * Opening a program: check every byte of `programqpc.bin` against the layout in `format.ts` before anything is
 * trusted, then hand out graphs onnxruntime can load.
 *
 * Nothing read from the file decides an allocation before it has been checked against the real file size, and every
 * failure is a `QaicError` that names the file and the problem.
 */
import { closeSync, copyFileSync, fstatSync, linkSync, mkdirSync, openSync, readSync, realpathSync, renameSync, statSync, type Stats } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { QaicError, describeValue } from '../errors.js';
import {
  HEADER_BYTES, PROGRAM_FILE, decodeHeader, graphFileName, manifestProblem, sha256Hex,
  type Manifest, type ManifestSection, type ProgramHeader,
} from './format.js';
import { hostFeatureMismatch } from './host.js';
import { writeGraphFiles } from './write.js';
import { PROGRAM_FORMAT_VERSION, type LoadableGraph, type ManifestGraph, type OpenedProgram } from './types.js';

/** Options of {@link openProgram}. */
export interface OpenProgramOptions {
  /**
   * Load graphs built for CPU features this host lacks instead of refusing them. onnxruntime may then crash on an
   * illegal instruction or compute with the wrong kernels: use only when you know the features are optional.
   * @defaultValue false
   */
  allowHostMismatch?: boolean;
}

/** An opened program, with the manifest as read (for link and tools). */
export interface OpenedProgramWithManifest extends OpenedProgram {
  /** the manifest exactly as stored in the file, after verification */
  manifest: Manifest;
  /**
   * Read `length` bytes at absolute file offset `offset` (a graph section or a weight, as the manifest locates
   * them). The bytes were hashed when the program was opened; they are read again from the file here.
   *
   * @throws QaicError `QAIC_PROGRAM_CORRUPT` when the range lies outside the file or the file got shorter since
   */
  readRegion(offset: number, length: number): Promise<Uint8Array>;
}

function corrupt(file: string, problem: string, cause?: unknown): QaicError {
  return new QaicError('QAIC_PROGRAM_CORRUPT', `program '${file}' is corrupt: ${problem}`, { cause, details: { file } });
}

/**
 * The `programqpc.bin` path for a program folder or file path.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for a non-string, `QAIC_FILE_NOT_FOUND` when missing
 */
export function programFilePath(path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `a program is given as its folder or its programqpc.bin path, got ${describeValue(path)}`, { details: { argument: 'path' } });
  }
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `program '${path}' does not exist (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error, details: { file: path } });
  }
  if (!stats.isDirectory()) return path;
  const file = join(path, PROGRAM_FILE);
  try {
    statSync(file);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `program folder '${path}' has no ${PROGRAM_FILE}`, { cause: error, details: { file } });
  }
  return file;
}

function readExactlySync(fd: number, length: number, position: number, file: string): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw corrupt(file, `it ended at byte ${position + done} while reading ${length} bytes at ${position} (it changed while being read?)`);
    done += n;
  }
  return buf;
}

/**
 * Read and verify the header and manifest only (synchronous; reads at most the header and the bounded manifest).
 * Section contents are not hashed here: {@link openProgram} does that.
 *
 * @throws QaicError `QAIC_PROGRAM_CORRUPT`, `QAIC_PROGRAM_VERSION`, `QAIC_FILE_NOT_FOUND`
 */
export function readManifestSync(path: string): { file: string; header: ProgramHeader; manifest: Manifest } {
  const file = programFilePath(path);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot open program '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error, details: { file } });
  }
  try {
    const size = fstatSync(fd).size;
    const head = readExactlySync(fd, Math.min(HEADER_BYTES, size), 0, file);
    const header = decodeHeader(head, size, PROGRAM_FORMAT_VERSION);
    if ('problem' in header) {
      if (header.kind === 'version') throw new QaicError('QAIC_PROGRAM_VERSION', `program '${file}' cannot be read: ${header.problem}`, { details: { file } });
      throw corrupt(file, header.problem);
    }
    // decodeHeader bounded the manifest by the real file size and MAX_MANIFEST_BYTES before this allocation
    const manifestBytes = readExactlySync(fd, header.manifestLength, header.manifestOffset, file);
    if (sha256Hex(manifestBytes) !== header.manifestSha256) throw corrupt(file, 'its manifest checksum does not match (the manifest is damaged)');
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
    } catch (error) {
      throw corrupt(file, `its manifest is not valid JSON: ${(error as Error).message}`, error);
    }
    const problem = manifestProblem(parsed, header);
    if (problem !== undefined) throw corrupt(file, problem);
    return { file, header, manifest: parsed as Manifest };
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1 << 20;

/** Hash a region of an open file in bounded chunks, or check that it is all zero. */
async function scanRegion(handle: import('node:fs/promises').FileHandle, offset: number, length: number, mode: 'hash' | 'zero', file: string): Promise<string> {
  const hash = createHash('sha256');
  const buf = new Uint8Array(Math.min(CHUNK, Math.max(length, 1)));
  let done = 0;
  while (done < length) {
    const want = Math.min(buf.byteLength, length - done);
    const { bytesRead } = await handle.read(buf, 0, want, offset + done);
    if (bytesRead === 0) throw corrupt(file, `it ended at byte ${offset + done} while reading bytes ${offset}..${offset + length}`);
    const chunk = buf.subarray(0, bytesRead);
    if (mode === 'hash') hash.update(chunk);
    else if (chunk.some((b) => b !== 0)) throw corrupt(file, `the padding at bytes ${offset}..${offset + length} is not zero (the file is damaged)`);
    done += bytesRead;
  }
  return mode === 'hash' ? hash.digest('hex') : '';
}

/**
 * Open and verify a program: header, manifest, every section's SHA-256 and the zero padding between sections.
 *
 * @param path the program folder or its `programqpc.bin`
 * @throws QaicError `QAIC_FILE_NOT_FOUND` (missing), `QAIC_PROGRAM_CORRUPT` (truncated, damaged, out-of-bounds or
 *   malformed; the message names the file and the problem), `QAIC_PROGRAM_VERSION` (another major format version)
 */
export async function openProgram(path: string, options: OpenProgramOptions = {}): Promise<OpenedProgramWithManifest> {
  const { file, header, manifest } = readManifestSync(path);
  const handle = await open(file, 'r');
  try {
    const spans = [
      { start: 0, end: HEADER_BYTES, section: undefined as ManifestSection | undefined },
      { start: header.manifestOffset, end: header.manifestOffset + header.manifestLength, section: undefined },
      ...manifest.sections.map((s) => ({ start: s.offset, end: s.offset + s.length, section: s as ManifestSection | undefined })),
    ].sort((a, b) => a.start - b.start);
    let pos = 0;
    for (const span of spans) {
      if (span.start > pos) await scanRegion(handle, pos, span.start - pos, 'zero', file);
      if (span.section !== undefined) {
        const digest = await scanRegion(handle, span.start, span.end - span.start, 'hash', file);
        if (digest !== span.section.sha256) {
          const what = span.section.kind === 'graph' ? `the section of graph '${span.section.graph}'` : 'the weight section';
          throw corrupt(file, `the checksum of ${what} (bytes ${span.start}..${span.end}) does not match (the file is damaged)`);
        }
      }
      pos = Math.max(pos, span.end);
    }
    if (pos < header.fileBytes) await scanRegion(handle, pos, header.fileBytes - pos, 'zero', file);
  } finally {
    await handle.close();
  }

  const dir = dirname(file);
  const readRegion = async (offset: number, length: number): Promise<Uint8Array> => {
    if (offset < 0 || length < 0 || offset + length > header.fileBytes) throw corrupt(file, `a read of bytes ${offset}..${offset + length} is outside the file`);
    const h = await open(file, 'r');
    try {
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await h.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw corrupt(file, `it ended at byte ${offset + done} (it changed after it was verified?)`);
        done += bytesRead;
      }
      return buf;
    } finally {
      await h.close();
    }
  };

  const graphs = manifest.graphs;
  const opened: OpenedProgramWithManifest = {
    path: file,
    dir,
    formatVersion: header.major,
    graphs,
    provenance: manifest.provenance,
    onnxruntimeVersion: manifest.onnxruntimeVersion,
    weightBytes: manifest.weights.reduce((n, w) => n + w.length, 0),
    weightCount: manifest.weights.length,
    fileBytes: header.fileBytes,
    manifest,
    readRegion,
    async loadable(graphName?: string): Promise<LoadableGraph> {
      const graph = findGraph(file, graphs, graphName);
      const mismatch = hostFeatureMismatch(graph.hostFeatures);
      if (mismatch.length > 0 && options.allowHostMismatch !== true) {
        throw new QaicError('QAIC_PROGRAM_HOST_MISMATCH', `graph '${graph.name}' of program '${file}' was compiled with optimizations for another CPU (this host ${mismatch.join('; ')}); recompile the model on this host (or open with allowHostMismatch to load it anyway)`, {
          details: { file, graph: graph.name, mismatch, required: graph.hostFeatures },
        });
      }
      const section = manifest.sections.find((s) => s.kind === 'graph' && s.graph === graph.name)!;
      const modelPath = await ensureGraphFile(file, section, () => readRegion(section.offset, section.length));
      return { ...graph, modelPath, programPath: file };
    },
  };
  return opened;
}

/**
 * The manifest entry of a graph (default: the first).
 *
 * @throws QaicError `QAIC_GRAPH_NOT_FOUND` listing the available names
 */
export function findGraph(file: string, graphs: readonly ManifestGraph[], graphName?: string): ManifestGraph {
  if (graphName === undefined) return graphs[0]!;
  const graph = graphs.find((g) => g.name === graphName);
  if (graph === undefined) {
    throw new QaicError('QAIC_GRAPH_NOT_FOUND', `program '${file}' has no graph named '${graphName}'; available graphs: ${graphs.map((g) => `'${g.name}'`).join(', ')}`, {
      details: { file, graph: graphName, available: graphs.map((g) => g.name) },
    });
  }
  return graph;
}

/** Hard-link (or, across file systems, copy) `real` to `target` unless it is there already; atomic by rename. */
function placeProgramCopy(real: string, target: string): void {
  try {
    statSync(target);
    return;
  } catch {
    // not there yet
  }
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    linkSync(real, temp);
  } catch {
    copyFileSync(real, temp);
  }
  renameSync(temp, target);
}

async function sameBytes(path: string, sha256: string): Promise<boolean> {
  try {
    return sha256Hex(await readFile(path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * Make sure the graph file onnxruntime loads exists beside a file named `programqpc.bin` and holds exactly the
 * verified section. The program folder is preferred (so all sessions share one file); when it is read-only, or the
 * program file has another name, a folder under the OS temp dir (keyed by the program file's identity) holds the
 * graph file and a hard link to the program, so the mapped pages are still the program file's. onnxruntime refuses
 * external data reached through a symlink that leaves the model's folder; across file systems, where hard links
 * cannot go, the program is copied once.
 */
async function ensureGraphFile(file: string, section: ManifestSection, bytes: () => Promise<Uint8Array>): Promise<string> {
  const name = section.graph!;
  const candidates: string[] = [];
  // onnxruntime resolves symlinks before checking that external data stays inside the model's folder: work from
  // the real file, so that a symlinked program folder or file still loads
  const real = realpathSync(file);
  if (basename(real) === PROGRAM_FILE) candidates.push(dirname(real));
  const st = statSync(real);
  const identity = `${real}\u0000${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}\u0000${section.sha256}`;
  candidates.push(join(tmpdir(), 'qaic-programs', createHash('sha256').update(identity).digest('hex').slice(0, 24)));
  let lastError: unknown;
  for (const dir of candidates) {
    const target = join(dir, graphFileName(name));
    if (await sameBytes(target, section.sha256)) return target;
    try {
      if (dir !== dirname(real)) {
        mkdirSync(dir, { recursive: true });
        placeProgramCopy(real, join(dir, PROGRAM_FILE));
      }
      await writeGraphFiles(dir, [{ name, bytes: await bytes() }], { prune: false });
      return target;
    } catch (error) {
      lastError = error;
    }
  }
  throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot write the graph file onnxruntime loads for graph '${name}' of program '${file}' (neither beside it nor in the temp folder): ${(lastError as Error)?.message ?? 'unknown error'}`, {
    cause: lastError,
    details: { file },
  });
}

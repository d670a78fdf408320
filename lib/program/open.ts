/**
 * Opening a program: check every byte of `programqpc.bin` against the layout in `format.ts` before anything is
 * trusted, then hand out graphs onnxruntime can load.
 *
 * Nothing read from the file decides an allocation before it has been checked against the real file size, and every
 * failure is a `QaicError` that names the file and the problem.
 */
import { closeSync, constants, copyFileSync, fstatSync, linkSync, lstatSync, mkdtempSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { QaicError, describeValue } from '../errors.js';
import { readRegularFile } from '../files.js';
import { removeAtExit } from '../temp-dirs.js';
import { decodeModel } from '../onnx/model.js';
import {
  HEADER_BYTES, PROGRAM_FILE, decodeHeader, graphFileName, manifestProblem, sha256Hex,
  type Manifest, type ManifestSection, type ProgramHeader,
} from './format.js';
import { hostFeatureMismatch } from './host.js';
import { graphSectionProblem, sessionOptionsProblem, specDTypeSound } from './trust.js';
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
   * SHA-256 of the manifest (lowercase hex), as the header records it. The manifest holds the SHA-256 of every
   * section and the file's gaps must be zero, so this identifies the whole verified content of the program.
   */
  manifestSha256: string;
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
 * @throws QaicError `QAIC_PROGRAM_CORRUPT`, `QAIC_PROGRAM_VERSION`, `QAIC_FILE_NOT_FOUND`, `QAIC_FILE_INVALID` (not a
 *   regular file)
 */
export function readManifestSync(path: string): { file: string; header: ProgramHeader; manifest: Manifest; identity: { dev: number; ino: number } } {
  const file = programFilePath(path);
  let fd: number;
  try {
    // non-blocking: a FIFO named programqpc.bin must not hang the open; its kind is refused below
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot open program '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error, details: { file } });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new QaicError('QAIC_FILE_INVALID', `program '${file}' is not a regular file (a FIFO, device or socket); a program is a folder or its programqpc.bin`, { details: { file } });
    const size = stat.size;
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
    const problem = manifestProblem(parsed, header) ?? trustProblem(parsed as Manifest);
    if (problem !== undefined) throw corrupt(file, problem);
    return { file, header, manifest: parsed as Manifest, identity: { dev: stat.dev, ino: stat.ino } };
  } finally {
    closeSync(fd);
  }
}

/** What a sound manifest may still not ask for: session options off the allowlist, dtypes this library lacks. */
function trustProblem(manifest: Manifest): string | undefined {
  for (const g of manifest.graphs) {
    const problem = sessionOptionsProblem(g.name, g.sessionOptions);
    if (problem !== undefined) return problem;
    for (const spec of [...g.inputs, ...g.outputs]) {
      if (!specDTypeSound(spec)) return `graph '${g.name}' declares ${JSON.stringify(spec.name).slice(0, 80)} with dtype ${JSON.stringify(spec.dtype).slice(0, 40)} for ONNX type ${spec.onnxType}`;
    }
  }
  return undefined;
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
  const { file, header, manifest, identity } = readManifestSync(path);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (stat.dev !== identity.dev || stat.ino !== identity.ino) throw corrupt(file, 'it was replaced while being verified');
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
    const h = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await h.stat();
      if (stat.dev !== identity.dev || stat.ino !== identity.ino) throw corrupt(file, 'it was replaced after it was verified');
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
    manifestSha256: header.manifestSha256,
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
      const bytes = await readRegion(section.offset, section.length);
      if (sha256Hex(bytes) !== section.sha256) throw corrupt(file, `the section of graph '${graph.name}' changed after it was verified`);
      let model;
      try {
        model = decodeModel(bytes, `graph '${graph.name}' of program '${file}'`);
      } catch (error) {
        throw corrupt(file, `the section of graph '${graph.name}' is not an ONNX model: ${(error as Error).message}`, error);
      }
      const problem = graphSectionProblem(graph.name, model, manifest.weights);
      if (problem !== undefined) throw corrupt(file, problem);
      const modelPath = await ensureGraphFile(file, header.manifestSha256, section, bytes);
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

/** Whether `path` is a regular file (not a link) holding exactly `sha256` (read as untrusted: a FIFO or device is not). */
async function sameBytes(path: string, length: number, sha256: string): Promise<boolean> {
  try {
    // a symbolic link would make onnxruntime resolve external data beside its target, another program's file
    if (!lstatSync(path).isFile()) return false;
    return sha256Hex(await readRegularFile(path, { what: 'graph file', expectedBytes: length })) === sha256;
  } catch {
    return false;
  }
}

/** Private copies of programs, per verified content and file, made once per process (see {@link privateCopy}). */
const privateCopies = new Map<string, Promise<string>>();

/**
 * A folder only this process's user can write (`mkdtemp`, mode 0700) holding `programqpc.bin` as a hard link to the
 * verified file (a copy across file systems), verified again where it now lies: bytes in a shared temp folder that
 * this process did not write and check are never used. Removed when the process exits.
 */
function privateCopy(file: string, manifestSha256: string): Promise<string> {
  const real = realpathSync(file);
  const st = statSync(real);
  const key = `${manifestSha256}\u0000${st.dev}:${st.ino}`;
  let made = privateCopies.get(key);
  if (made === undefined) {
    made = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qaic-program-'));
      removeAtExit(dir);
      const target = join(dir, PROGRAM_FILE);
      try {
        linkSync(real, target);
      } catch {
        copyFileSync(real, target);
      }
      const placed = await openProgram(target);
      if (placed.manifestSha256 !== manifestSha256) throw corrupt(file, 'it changed while being copied to a private folder');
      return realpathSync(dir);
    })();
    privateCopies.set(key, made);
    made.catch(() => privateCopies.delete(key));
  }
  return made;
}

/**
 * Make sure the graph file onnxruntime loads exists beside a file named `programqpc.bin` and holds exactly the
 * verified section. The program folder the user named is preferred (so all sessions share one file); when it is
 * read-only, the program file has another name, or `programqpc.bin` is a symbolic link (writing beside its target
 * would write into a folder the user did not name), a private folder of this process holds the graph file and a hard
 * link to (or verified copy of) the program, so the mapped pages are still the program file's where the file system
 * allows. onnxruntime refuses external data reached through a symlink that leaves the model's folder, which is why
 * the link cannot simply point at the program.
 */
async function ensureGraphFile(file: string, manifestSha256: string, section: ManifestSection, bytes: Uint8Array): Promise<string> {
  const name = section.graph!;
  let lastError: unknown;
  let direct = false;
  try {
    direct = basename(file) === PROGRAM_FILE && lstatSync(file).isFile();
  } catch {
    direct = false;
  }
  if (direct) {
    // onnxruntime resolves a symlinked folder before checking that external data stays inside it: name the real one
    const dir = realpathSync(dirname(file));
    const target = join(dir, graphFileName(name));
    if (await sameBytes(target, section.length, section.sha256)) return target;
    try {
      await writeGraphFiles(dir, [{ name, bytes }], {});
      return target;
    } catch (error) {
      lastError = error;
    }
  }
  try {
    const dir = await privateCopy(file, manifestSha256);
    const target = join(dir, graphFileName(name));
    if (await sameBytes(target, section.length, section.sha256)) return target;
    await writeGraphFiles(dir, [{ name, bytes }], {});
    return target;
  } catch (error) {
    if (error instanceof QaicError && error.code === 'QAIC_PROGRAM_CORRUPT') throw error;
    lastError = error;
  }
  throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot write the graph file onnxruntime loads for graph '${name}' of program '${file}' (neither beside it nor in a private temp folder): ${(lastError as Error)?.message ?? 'unknown error'}`, {
    cause: lastError,
    details: { file },
  });
}

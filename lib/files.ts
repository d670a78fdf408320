/**
 * Reading files the library does not control (models, programs, options YAML, input files, profiles) as untrusted:
 * only a regular file, only up to a size checked before reading, with a typed error at once otherwise.
 *
 * The file is opened first (non-blocking, so a FIFO cannot hang the open) and the checks run on the open
 * descriptor, so what is checked is what is read even if the path is swapped in between. A symbolic link to a
 * regular file is followed, as users expect of a model path; one to `/dev/zero` or a FIFO is refused.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { QaicError } from './errors.js';

/** What is being read, and the sizes that are acceptable. */
export interface ReadFileLimits {
  /** Names the file in errors: 'model file', 'options file', "input file for 'x'". */
  what: string;
  /** Refuse files larger than this many bytes (default: 4 GiB, onnxruntime's own protobuf limit is 2 GiB). */
  maxBytes?: number;
  /** Refuse files whose size is not exactly this many bytes. */
  expectedBytes?: number;
}

/** Default upper bound for a file read whole: 4 GiB. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 2 ** 30;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function openError(path: string, what: string, error: unknown): QaicError {
  const code = (error as { code?: string }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
  return new QaicError(code === 'EISDIR' ? 'QAIC_FILE_INVALID' : 'QAIC_FILE_NOT_FOUND', `cannot read the ${what} '${path}': ${reason}`, { cause: error, details: { file: path } });
}

function kind(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Check an open file's stat against the limits; returns its size. */
function checkStat(path: string, stat: Stats, limits: ReadFileLimits): number {
  if (!stat.isFile()) {
    throw new QaicError('QAIC_FILE_INVALID', `the ${limits.what} '${path}' is ${kind(stat)}, expected a regular file`, { details: { file: path } });
  }
  const max = limits.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (limits.expectedBytes !== undefined && stat.size !== limits.expectedBytes) {
    throw new QaicError('QAIC_FILE_INVALID', `the ${limits.what} '${path}' is ${stat.size} bytes, expected exactly ${limits.expectedBytes}`, {
      details: { file: path, bytes: stat.size, expectedBytes: limits.expectedBytes },
    });
  }
  if (stat.size > max) {
    throw new QaicError('QAIC_FILE_INVALID', `the ${limits.what} '${path}' is ${stat.size} bytes, more than the ${max} allowed`, {
      details: { file: path, bytes: stat.size, maxBytes: max },
    });
  }
  return stat.size;
}

/**
 * Stat a path as a regular file within the limits without reading it; returns its size in bytes.
 * @throws QaicError `QAIC_FILE_NOT_FOUND` (missing, unreadable) or `QAIC_FILE_INVALID` (not a regular file, size).
 */
export function checkRegularFile(path: string, limits: ReadFileLimits): number {
  const fd = openChecked(path, limits);
  try {
    return checkStat(path, fstatSync(fd), limits);
  } finally {
    closeSync(fd);
  }
}

/** Open `path` for reading without blocking (a FIFO cannot hang the open); a failure is a typed error. */
function openChecked(path: string, limits: ReadFileLimits): number {
  try {
    return openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, limits.what, error);
  }
}

/**
 * Read a whole regular file of checked size, synchronously.
 * @throws QaicError `QAIC_FILE_NOT_FOUND` (missing, unreadable) or `QAIC_FILE_INVALID` (not a regular file, size,
 *   or the file changed size while being read).
 */
export function readRegularFileSync(path: string, limits: ReadFileLimits): Buffer {
  const fd = openChecked(path, limits);
  try {
    const size = checkStat(path, fstatSync(fd), limits);
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const n = readSync(fd, out, offset, size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    if (offset !== size) throw new QaicError('QAIC_FILE_INVALID', `the ${limits.what} '${path}' shrank while being read (${offset} of ${size} bytes)`, { details: { file: path } });
    return out;
  } finally {
    closeSync(fd);
  }
}

/** {@link readRegularFileSync} as text (UTF-8). */
export function readRegularTextFileSync(path: string, limits: ReadFileLimits): string {
  return readRegularFileSync(path, limits).toString('utf8');
}

/**
 * Read a whole regular file of checked size, without blocking the event loop.
 * @throws QaicError as {@link readRegularFileSync}.
 */
export async function readRegularFile(path: string, limits: ReadFileLimits): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, limits.what, error);
  }
  try {
    const size = checkStat(path, await handle.stat(), limits);
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(out, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset !== size) throw new QaicError('QAIC_FILE_INVALID', `the ${limits.what} '${path}' shrank while being read (${offset} of ${size} bytes)`, { details: { file: path } });
    return out;
  } finally {
    await handle.close();
  }
}

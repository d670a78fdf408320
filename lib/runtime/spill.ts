/**
 * The data plane of process activations (`isolation: 'process'`): a tensor of at least {@link SPILL_MIN_BYTES}
 * crosses the process boundary as a file in a private folder of a memory file system (`/dev/shm` where there is
 * one, else the OS temp folder), and only its name travels in the IPC message.
 *
 * Why (measured by `benchmarks/isolation.ts` and an echo on a 2-core VM): the IPC pipe holds 64 KiB, so det's
 * 1.2 MB input crossed in about twenty writer/reader wake-ups plus serialization copies, some 1 to 2 ms a run,
 * while one write and one read of a tmpfs file take about 0.15 ms. Node has no shared memory between processes
 * (a SharedArrayBuffer cannot cross), so this is the cheapest copy available without a native addon.
 *
 * Files are named by the sender from the request id (`in-<id>-<n>`, `out-<id>-<n>`); the reader takes a name only
 * of that form, joined to the folder it was told at start, never a path from a message, checks the file's size,
 * and deletes it once read. The folder is created by the main process (mode 0700) and removed with the child.
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireTensor } from '../tensor.js';
import { readRegularFileSync } from '../files.js';
import { removeAtExit, removeOwnedDir } from '../temp-dirs.js';

/** Tensors smaller than this (bytes) travel inside the IPC message: a file would cost more than it saves. */
export const SPILL_MIN_BYTES = 64 * 1024;

/** A tensor whose bytes were written to a file: where it belongs in the message, and the file. */
export interface Spilled {
  /** index of the feed, or name of the output */
  key: number | string;
  /** file name inside the activation's folder (`in-<id>-<n>` or `out-<id>-<n>`) */
  file: string;
  /** bytes written */
  byteLength: number;
}

const NAME = /^(in|out)-\d+-\d+$/;

/** A new private folder for one activation's spilled tensors. */
export function makeSpillDir(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  let dir: string;
  try {
    dir = mkdtempSync(join(base, 'qaic-activation-'));
  } catch {
    dir = mkdtempSync(join(tmpdir(), 'qaic-activation-'));
  }
  // removed at exit if its child's end was never seen: memory is not a disk
  removeAtExit(dir);
  return dir;
}

/** Remove a folder made by {@link makeSpillDir} (and what is left in it). */
export function removeSpillDir(dir: string): void {
  removeOwnedDir(dir);
}

/**
 * Write the large typed arrays among `tensors` to files named `<prefix>-<id>-<n>` in `dir`, leaving an empty array
 * of the same type in their place; returns what was written (empty when nothing was large enough).
 */
export function spillTensors(dir: string, prefix: 'in' | 'out', id: number, tensors: Record<string | number, WireTensor>): Spilled[] {
  const out: Spilled[] = [];
  for (const key of Object.keys(tensors)) {
    const tensor = tensors[key as never] as WireTensor;
    const data = tensor.data;
    if (Array.isArray(data) || data.byteLength < SPILL_MIN_BYTES) continue;
    const file = `${prefix}-${id}-${out.length}`;
    try {
      const fd = openSync(join(dir, file), 'wx', 0o600);
      try {
        let done = 0;
        while (done < data.byteLength) done += writeSync(fd, new Uint8Array(data.buffer, data.byteOffset + done, data.byteLength - done));
      } finally {
        closeSync(fd);
      }
    } catch {
      // a full tmpfs (a container's 64 MiB /dev/shm) must not fail the run: this tensor and the rest go in the
      // message instead (slower, not wrong), and the partial file goes
      rmSync(join(dir, file), { force: true });
      break;
    }
    out.push({ key: Array.isArray(tensors) ? Number(key) : key, file, byteLength: data.byteLength });
    tensors[key as never] = { ...tensor, data: new (data.constructor as new (n: number) => typeof data)(0) } as never;
  }
  return out;
}

/**
 * Read back the tensors {@link spillTensors} wrote, into `tensors` (as typed arrays of the placeholders' types),
 * deleting each file. Returns the buffers read, which belong to the caller alone (they can be transferred).
 *
 * @throws Error when a name is not one this module writes; QaicError `QAIC_FILE_*` when a file is not a regular file
 *   of exactly the size written
 */
export function unspillTensors(dir: string, tensors: Record<string | number, WireTensor>, spilled: readonly Spilled[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const s of spilled) {
    if (!NAME.test(s.file)) throw new Error(`refused a spilled tensor named '${s.file}'`);
    const path = join(dir, s.file);
    let bytes: Buffer;
    try {
      bytes = readRegularFileSync(path, { what: 'spilled tensor', expectedBytes: s.byteLength, maxBytes: s.byteLength });
    } finally {
      rmSync(path, { force: true });
    }
    // a Buffer this large has an ArrayBuffer of its own; copy in case a runtime ever pools it
    const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer as ArrayBuffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const tensor = tensors[s.key as never] as WireTensor;
    const Ctor = (tensor.data as unknown as { constructor: new (buffer: ArrayBuffer) => WireTensor['data'] }).constructor;
    tensors[s.key as never] = { ...tensor, data: new Ctor(own) } as never;
    buffers.push(own);
  }
  return buffers;
}

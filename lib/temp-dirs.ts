/**
 * Folders this process made for its own use (spilled tensors of process activations, private copies of programs)
 * and removes when it exits, unless they were removed before. One `exit` listener serves them all, and it is
 * registered only while a folder is left, so that a process which removed them all keeps no listener behind.
 */
import { rmSync } from 'node:fs';

const left = new Set<string>();

function removeLeft(): void {
  for (const dir of left) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // the process is exiting: one folder that cannot go must not keep the others
    }
  }
  left.clear();
}

/** Remove `dir`, a folder this process made, when the process exits (unless {@link removeOwnedDir} removes it first). */
export function removeAtExit(dir: string): void {
  if (left.size === 0) process.once('exit', removeLeft);
  left.add(dir);
}

/** Remove `dir` (and what is in it) now, and no longer at exit. */
export function removeOwnedDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  if (left.delete(dir) && left.size === 0) process.removeListener('exit', removeLeft);
}

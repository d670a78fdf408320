/**
 * The process's resident memory now, as the memory benchmarks sample it: RSS from `/proc/self/status` and PSS (pages
 * shared with other mappings counted in part) from `/proc/self/smaps_rollup`, both in MiB. Linux only.
 */
import { readFileSync } from 'node:fs';

/** One sample, MiB. */
export interface MemorySample {
  /** resident set size */
  rss: number;
  /** proportional set size; NaN where the kernel has no smaps_rollup (before 4.14) */
  pss: number;
}

/** Read RSS and PSS now. */
export function readMemorySample(): MemorySample {
  const kib = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  let pss = NaN;
  try {
    pss = kib(readFileSync('/proc/self/smaps_rollup', 'utf8'), 'Pss');
  } catch {
    // kernels before 4.14 have no smaps_rollup
  }
  return { rss: kib(readFileSync('/proc/self/status', 'utf8'), 'VmRSS'), pss };
}

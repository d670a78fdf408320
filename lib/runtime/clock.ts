/**
 * One clock for every thread: `process.hrtime` is CLOCK_MONOTONIC, shared by the main thread and workers, so
 * timestamps taken in an activation can be subtracted from timestamps taken by the caller. `performance.now()`
 * cannot be used for that: each worker has its own time origin.
 */

/** Monotonic time in integer nanoseconds (a double: exact below 2^53 ns, about 104 days of uptime). */
export function nowNs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e9 + ns;
}

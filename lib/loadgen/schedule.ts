/**
 * The Server scenario's arrival schedule: Poisson arrivals (exponential gaps with mean `1 / target_qps`) from a
 * seeded generator, so the same `schedule_rng_seed` gives the same schedule on every run and machine.
 *
 * LoadGen draws from `std::mt19937_64` through `std::exponential_distribution`, whose output differs between C++
 * standard libraries; this schedule has the same distribution, not LoadGen's exact numbers.
 */

/**
 * A seeded uniform [0, 1) generator (sfc32, 32-bit state words, period about 2^128), seeded from both halves of a
 * safe integer so that every seed up to 2^53 gives its own stream.
 */
export function seededUniform(seed: number): () => number {
  // Each state word from a hash of both seed halves (murmur3's finalizer), so neighbouring seeds start far apart.
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  };
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let a = mix(lo ^ 0x9e3779b9);
  let b = mix(hi ^ 0x7f4a7c15);
  let c = mix(lo + 0x6a09e667);
  let d = mix(hi + 0xbb67ae85);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix a small seed.
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** How long a Server schedule runs: LoadGen schedules queries until both minimums are met, and never past a maximum. */
export interface ScheduleBounds {
  /** mean arrivals per second */
  targetQps: number;
  /** schedule at least until this many ms */
  minDurationMs: number;
  /** schedule at least this many queries */
  minQueryCount: number;
  /** never schedule a query at or after this many ms (0: no limit) */
  maxDurationMs: number;
  /** never schedule more queries than this (0: no limit) */
  maxQueryCount: number;
  /** the generator's seed (`schedule_rng_seed`) */
  seed: number;
}

/**
 * Arrival offsets in ns from the run's start, ascending: exponential gaps, the first query one gap after the start
 * (as LoadGen). Scheduling continues until the last arrival is at or past `minDurationMs` and there are at least
 * `minQueryCount` queries, and stops before either maximum.
 */
export function poissonSchedule(b: ScheduleBounds): Float64Array {
  const random = seededUniform(b.seed);
  const meanGapNs = 1e9 / b.targetQps;
  const minNs = b.minDurationMs * 1e6;
  const maxNs = b.maxDurationMs > 0 ? b.maxDurationMs * 1e6 : Infinity;
  const maxCount = b.maxQueryCount > 0 ? b.maxQueryCount : Infinity;
  let out = new Float64Array(1024);
  let n = 0;
  let t = 0;
  while (n < maxCount) {
    if (n >= b.minQueryCount && t >= minNs) break;
    t += -Math.log(1 - random()) * meanGapNs;
    if (t >= maxNs) break;
    if (n === out.length) {
      const grown = new Float64Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = Math.round(t);
  }
  return out.slice(0, n);
}

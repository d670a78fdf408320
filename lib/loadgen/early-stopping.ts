/**
 * LoadGen's early-stopping rule: how many queries a run needs before its latency percentile can be trusted at 99 %
 * confidence, and the percentile estimate it then guarantees.
 *
 * The rule (LoadGen `early_stopping.cc`, tolerance 0): a run of n queries, t of them over the latency of interest,
 * shows that the true overlatency rate is below `1 - p` when a system whose rate were `1 - p` would show t or fewer
 * overlatency queries among n with probability under `1 - confidence`. That probability is the binomial CDF
 * `P(X <= t; n, 1 - p)`, which equals `BetaRegularized(p, n - t, t + 1)`. `minPassingQueries(t)` is the smallest
 * h = n - t for which it is below 0.01.
 */

/** LoadGen's early-stopping confidence (99 %). */
export const EARLY_STOPPING_CONFIDENCE = 0.99;

/** log(exp(a) + exp(b)) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * `P(X <= t)` for X ~ Binomial(n, q), computed in log space (exact enough for n in the millions).
 *
 * @param q the per-trial probability (here: of a query being over the latency)
 */
export function binomialCdf(t: number, n: number, q: number): number {
  if (t >= n) return 1;
  if (t < 0) return 0;
  const lq = Math.log(q);
  const lp = Math.log1p(-q);
  let term = n * lp; // log P(X = 0)
  let sum = term;
  for (let k = 0; k < t; k++) {
    term += Math.log((n - k) / (k + 1)) + lq - lp;
    sum = logAdd(sum, term);
  }
  return Math.min(1, Math.exp(sum));
}

/**
 * The fewest under-latency queries h such that h + t queries with t over the latency prove, at `confidence`, that
 * the `percentile` (percent) is within the latency: the smallest h with `P(X <= t; h + t, 1 - p) < 1 - confidence`.
 */
export function minPassingQueries(t: number, percentile: number, confidence = EARLY_STOPPING_CONFIDENCE): number {
  const q = 1 - percentile / 100;
  const alpha = 1 - confidence;
  const fails = (h: number): boolean => binomialCdf(t, h + t, q) >= alpha;
  // Grow an upper bound, then bisect: the CDF falls as h grows.
  let lo = 0;
  let hi = 1;
  while (fails(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fails(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The fewest queries any run needs before early stopping can give an estimate at `percentile`: `h(1) + 1`, as
 * LoadGen's SingleStream rule (64 for p90, 662 for p99).
 */
export function minQueriesForEarlyStopping(percentile: number, confidence = EARLY_STOPPING_CONFIDENCE): number {
  return minPassingQueries(1, percentile, confidence) + 1;
}

/** What early stopping found, as `details.loadgen.early_stopping` carries it. */
export interface EarlyStoppingResult {
  /** whether the rule was met */
  met: boolean;
  /** the percentile (percent) the rule is about */
  percentile: number;
  /** the confidence (0.99) */
  confidence: number;
  /** queries the run had */
  queries: number;
  /** queries the rule needed with the overlatency count found (`h(t) + t`) */
  queries_needed: number;
  /**
   * SingleStream/MultiStream: t, the largest count for which the run has enough queries (the estimate discards the
   * t - 1 slowest); Server: the queries over `target_latency`
   */
  overlatency_count: number;
  /** SingleStream/MultiStream: the latency (ns) the rule guarantees at the percentile; absent when not met or for Server */
  estimate_ns?: number;
}

/**
 * SingleStream and MultiStream: the largest t with `h(t) + t <= n`, and `sorted[n - t]` as the percentile estimate.
 *
 * @param sortedNs per-query latencies, ascending
 */
export function earlyStoppingEstimate(sortedNs: ArrayLike<number>, percentile: number, confidence = EARLY_STOPPING_CONFIDENCE): EarlyStoppingResult {
  const n = sortedNs.length;
  const needed = (t: number): number => minPassingQueries(t, percentile, confidence) + t;
  const first = needed(1);
  const base = { percentile, confidence, queries: n };
  if (n < first) return { ...base, met: false, queries_needed: first, overlatency_count: 0 };
  // h(t) + t grows with t: bisect for the largest t that still fits in n.
  let lo = 1;
  let hi = 2;
  while (hi <= n && needed(hi) <= n) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, n + 1);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (needed(mid) <= n) lo = mid;
    else hi = mid;
  }
  return { ...base, met: true, queries_needed: needed(lo), overlatency_count: lo, estimate_ns: sortedNs[n - lo]! };
}

/**
 * Server: t = the queries over `targetNs`; the rule is met when the run had at least `h(t) + t` queries.
 *
 * @param latenciesNs per-query latencies (any order)
 */
export function serverEarlyStopping(latenciesNs: ArrayLike<number>, targetNs: number, percentile: number, confidence = EARLY_STOPPING_CONFIDENCE): EarlyStoppingResult {
  const n = latenciesNs.length;
  let t = 0;
  for (let i = 0; i < n; i++) if (latenciesNs[i]! > targetNs) t++;
  const needed = minPassingQueries(t, percentile, confidence) + t;
  return { met: n >= needed, percentile, confidence, queries: n, queries_needed: needed, overlatency_count: t };
}

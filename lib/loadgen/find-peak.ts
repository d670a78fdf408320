/**
 * `findPeak()`: the highest Server `target_qps` that stays VALID, by bisection, as LoadGen's FindPeakPerformance
 * mode and perf_analyzer's `--latency-threshold` search.
 *
 * Search: a first trial at `target_qps` (given, or half the rate a short closed-loop probe reaches); then doubling
 * up while VALID (or halving down while INVALID, not below `min_target_qps`) to bracket the peak; then bisection of the bracket until it is
 * narrower than `precision` (relative) or `max_trials` trials have run. Every trial is a full Server run with the
 * same settings and seed, so each is judged by the same rules.
 */
import { QaicError, describeValue } from '../errors.js';
import { nowNs } from '../runtime/clock.js';
import { runScenario, prepareScenario, issueRun, type ScenarioTarget } from './scenarios.js';
import type { ScenarioArgs } from './settings.js';

/** Arguments of `findPeak()`: the Server settings (LoadGen names and units) plus the search's own. */
export interface FindPeakArgs extends Omit<ScenarioArgs, 'scenario'> {
  /** only `'Server'` (the default): the peak is a Server rate */
  scenario?: 'Server';
  /** relative width of the final bracket, 0 < precision < 1 (default 0.05: the answer is within 5 % of the true edge) */
  precision?: number;
  /** at most this many trials (default 12) */
  max_trials?: number;
  /**
   * never try a rate below this, queries/s (default: the first rate / 16). A Server run lasts at least
   * `min_query_count / target_qps` seconds, so halving without a floor would make each trial twice as long as the last
   */
  min_target_qps?: number;
  /** called after each trial (progress) */
  onTrial?: (trial: PeakTrial) => void;
}

/** One trial of the search. */
export interface PeakTrial {
  /** the rate tried, queries/s */
  target_qps: number;
  /** its verdict */
  result: 'VALID' | 'INVALID';
  /** why it was INVALID (empty when VALID) */
  reasons: string[];
  /** queries/s completed */
  completed_qps: number;
  /** the latency at `target_latency_percentile`, ns */
  percentile_latency_ns: number;
  /** the run's p99 schedule lateness, ns */
  p99_lateness_ns: number;
  /** queries in the run */
  queries: number;
}

/** What `findPeak()` returns. */
export interface PeakResult {
  /** the highest VALID rate tried, queries/s (0 when no rate tried was VALID) */
  target_qps: number;
  /** every rate tried, in order */
  trials: PeakTrial[];
}

function bad(argument: string, expected: string, given: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', `findPeak(): '${argument}' must be ${expected}, got ${describeValue(given)}`, { details: { argument } });
}

/** A start rate from a short closed-loop probe: activations / mean latency of a few queries, halved. */
async function probeRate(target: ScenarioTarget, args: ScenarioArgs): Promise<number> {
  const { cycle } = prepareScenario(target, { ...args, scenario: 'Server' }, 'findPeak()');
  await target.setup();
  const parallel = Math.max(1, target.options.num_activations);
  await Promise.all(Array.from({ length: parallel }, () => issueRun(target, cycle.take())));
  const rounds = 4;
  const t0 = nowNs();
  for (let r = 0; r < rounds; r++) await Promise.all(Array.from({ length: parallel }, () => issueRun(target, cycle.take())));
  const seconds = (nowNs() - t0) / 1e9;
  return Math.max(0.1, (rounds * parallel) / seconds / 2);
}

/**
 * Search the highest VALID Server `target_qps` on a session.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad arguments (as `runBenchmark({ scenario: 'Server' })`, plus
 *   `precision` and `max_trials`); run errors as `runBenchmark()`
 */
export async function findPeakOn(target: ScenarioTarget, args: FindPeakArgs): Promise<PeakResult> {
  if (typeof args !== 'object' || args === null) throw bad('arguments', "an object such as { target_latency: 15 }", args);
  const { precision = 0.05, max_trials: maxTrials = 12, min_target_qps: floorArg, onTrial, scenario = 'Server', ...rest } = args;
  if (floorArg !== undefined && !(typeof floorArg === 'number' && floorArg > 0 && Number.isFinite(floorArg))) throw bad('min_target_qps', 'a positive number of queries per second', floorArg);
  if (scenario !== 'Server') throw bad('scenario', "'Server' (the peak is a Server rate)", scenario);
  if (!(typeof precision === 'number' && precision > 0 && precision < 1)) throw bad('precision', 'a number above 0 and below 1 (relative width of the final bracket)', precision);
  if (!(Number.isSafeInteger(maxTrials) && maxTrials >= 2)) throw bad('max_trials', 'an integer of at least 2', maxTrials);
  if (onTrial !== undefined && typeof onTrial !== 'function') throw bad('onTrial', 'a function', onTrial);
  const base: ScenarioArgs = { ...rest, scenario: 'Server', emitWarnings: false };
  // Check every setting (and the settings file) before the first trial spends time.
  prepareScenario(target, base, 'findPeak()');
  const trials: PeakTrial[] = [];
  const tryRate = async (qps: number): Promise<boolean> => {
    const r = await runScenario(target, { ...base, target_qps: qps });
    const l = r.details.loadgen;
    const trial: PeakTrial = {
      target_qps: qps, result: l.result, reasons: l.reasons, completed_qps: l.completed_qps,
      percentile_latency_ns: l.percentile_latency_ns, p99_lateness_ns: l.schedule_lateness_ns?.p99 ?? 0, queries: l.queries,
    };
    trials.push(trial);
    onTrial?.(trial);
    return l.result === 'VALID';
  };
  let qps = rest.target_qps ?? await probeRate(target, base);
  const floor = floorArg ?? qps / 16;
  let lower = 0;
  let upper = Infinity;
  if (await tryRate(qps)) {
    lower = qps;
    while (upper === Infinity && trials.length < maxTrials) {
      qps *= 2;
      if (await tryRate(qps)) lower = qps;
      else upper = qps;
    }
  } else {
    upper = qps;
    while (lower === 0 && trials.length < maxTrials && qps / 2 >= floor) {
      qps /= 2;
      if (await tryRate(qps)) lower = qps;
      else upper = qps;
    }
  }
  while (lower > 0 && upper !== Infinity && (upper - lower) / lower > precision && trials.length < maxTrials) {
    const mid = (lower + upper) / 2;
    if (await tryRate(mid)) lower = mid;
    else upper = mid;
  }
  return { target_qps: lower, trials };
}

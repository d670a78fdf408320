/**
 * MLPerf LoadGen's scenarios and validity rules on a session: settings (names, units, struct defaults,
 * `user.conf` files), the Server arrival schedule, early stopping, the verdict, FindPeak and the summary. Sessions
 * use them through `runBenchmark({ scenario })` and `findPeak()`; they are exported for reading and checking
 * results outside a session.
 *
 * @packageDocumentation
 */
export { SCENARIOS, SETTING_KEYS, defaultSettings, lookupSettings, modelNameFor, parseSettingsText, plainSettings, readSettingsFile, resolveScenarioSettings, type ResolvedScenarioSettings, type Scenario, type ScenarioArgs, type ScenarioSettings, type SettingSource, type SettingsFile, type SettingsLine, type UsedSettings } from './settings.js';
export { EARLY_STOPPING_CONFIDENCE, binomialCdf, earlyStoppingEstimate, minPassingQueries, minQueriesForEarlyStopping, serverEarlyStopping, type EarlyStoppingResult } from './early-stopping.js';
export { LOADGEN_PERCENTILES, LOADGEN_PERCENTILE_METHOD, loadgenLatency, loadgenPercentile, sortedCopy, type LoadgenLatency } from './latency.js';
export { poissonSchedule, seededUniform, type ScheduleBounds } from './schedule.js';
export { MAX_P99_LATENESS_NS, judge, type ValidityChecks, type ValidityFacts, type Verdict } from './validity.js';
export { runScenario, type LoadgenDetails, type ScenarioResult, type ScenarioTarget } from './scenarios.js';
export { findPeakOn, type FindPeakArgs, type PeakResult, type PeakTrial } from './find-peak.js';
export { formatLoadgenSummary, formatPeakSummary, headline } from './summary.js';
export { ArrivalClock } from './arrival-clock.js';

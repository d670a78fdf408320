/**
 * Metrics, benchmark and profiling building blocks, for users who want them outside a session (reading exports,
 * comparing runs). Sessions use them through `getMetrics()`, `runBenchmark()`, `printProfileData()`.
 *
 * @packageDocumentation
 */
export { LatencyStore, STAGES, newHistogram, summarise, type Stage, type LatencySummary, type PercentileFigure, type FirstInference, type FailureCounts } from './latency-store.js';
export { PERCENTILES, PERCENTILE_METHOD, minSamplesFor, nearestRank } from './percentiles.js';
export { buildReport, formatPythonMetrics, pythonMetrics, sessionMetrics, type GraphStores, type MetricsReport, type PythonMetrics, type StageReport } from './report.js';
export { METRICS_SCHEMA_VERSION, histogramLog, metricsDocument, type MetricsDocument } from './export.js';
export { environment, type Environment } from './environment.js';
export { MIN_TRUSTED_INFERENCES, MIN_TRUSTED_SECONDS, UNSTABLE_COV, resolveBenchmarkArgs, type BenchmarkArgs, type BenchmarkDetails, type BenchmarkProgress, type BenchmarkResult, type BenchmarkTuple, type ResolvedBenchmarkArgs } from './benchmark.js';
export { randomData, randomInputs } from './random-inputs.js';
export { HOST_STAGES, formatStageTable, stageSpans, type HostStage, type StageSpan } from '../profiling/stages.js';
export { formatOperatorTable, operatorTable, readOrtProfile, type OperatorRow, type OrtEvent } from '../profiling/ort-profile.js';
export { buildTrace, type TraceDocument, type TraceEvent, type ActivationProfile } from '../profiling/trace-file.js';
export { formatUnitTimes, unitTimes, type SubnetTimeRow, type UnitTimeRow, type UnitTimes } from '../profiling/units.js';

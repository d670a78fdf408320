/**
 * Charts (SVG), tables and the self-contained HTML run report. Every renderer is a pure function from plain data
 * to a string: deterministic, escaped, and usable from scripts, notebooks (`show()`) and `qaic-runner --report`.
 *
 * @packageDocumentation
 */
export { renderPercentileChart, percentilePoints } from './percentile-chart.js';
export type { PercentileChartInput, PercentilePoint, PercentileSeries } from './percentile-chart.js';
export { renderHistogramChart, binSeries } from './histogram-chart.js';
export type { Bins, HistogramChartInput, HistogramSeries } from './histogram-chart.js';
export { renderThroughputChart, throughputPoints } from './throughput-chart.js';
export type { ThroughputChartInput, ThroughputPoint, ThroughputSeries } from './throughput-chart.js';
export { renderOperatorChart, operatorShares } from './operator-chart.js';
export type { OperatorChartInput, OperatorShare, OperatorTime } from './operator-chart.js';
export { htmlTable, recordRows, shapeDictRows } from './table.js';
export type { Cell, ShapeDictLike, TableInput } from './table.js';
export { renderHtmlReport } from './html-report.js';
export type { ReportChart, ReportTable, RunReport } from './html-report.js';
export { environmentRows } from './environment.js';
export type { EnvironmentRows } from './environment.js';
export { show, tslabDisplay } from './notebook.js';
export type { NotebookDisplay } from './notebook.js';
export { escapeXml } from './escape.js';
export { niceTicks, percentilePosition, percentileTicks } from './scale.js';
export type { NiceAxis, Tick } from './scale.js';
export type { ChartSize } from './svg.js';
export { RunRecorder } from './run-recorder.js';
export type { Observable, RecordedRun, SeriesOptions } from './run-recorder.js';
export { hdrPercentilePoints, hdrQuantileSamples, stageSeries } from './hdr-source.js';
export type { HdrLike, StageSeries } from './hdr-source.js';
export { buildRunReport, operatorTypeTimes, progressThroughput, renderRunReport } from './run-report.js';
export type { RunReportInput } from './run-report.js';

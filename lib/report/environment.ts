/**
 * The environment table of the report: the facts a benchmark result depends on (from the metrics' `environment()`,
 * the same record the JSON export carries), plus the load average when the report was written. Results without
 * them cannot be compared or reproduced.
 */
import { loadavg } from 'node:os';
import { environment, type Environment } from '../metrics/environment.js';

/** One `[name, value]` row per fact. */
export type EnvironmentRows = Array<[string, string]>;

/**
 * Rows for the report's environment table.
 *
 * @param env an environment record (e.g. from an exported metrics document); default: this process's
 */
export function environmentRows(env: Environment = environment()): EnvironmentRows {
  const rows: EnvironmentRows = [
    ['qaic', env.qaicVersion],
    ['onnxruntime-node', env.onnxruntimeVersion],
    ['Node.js', env.nodeVersion],
    ['OS', `${env.platform}/${env.arch} ${env.osRelease}`],
    ['CPU', env.cpuModel],
    ['logical cores / available to Node', `${env.logicalCores} / ${env.availableParallelism}`],
    ['memory', `${(env.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB`],
  ];
  if (env.cpuGovernor !== undefined) rows.push(['CPU frequency governor', env.cpuGovernor]);
  rows.push(['load average when written (1/5/15 min)', loadavg().map((l) => l.toFixed(2)).join(' / ')]);
  return rows;
}

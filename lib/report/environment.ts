/**
 * The facts about the machine and software a benchmark result depends on, for the report's environment table.
 * Results without them cannot be compared or reproduced.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

/** One `[name, value]` row per fact. */
export type EnvironmentRows = Array<[string, string]>;

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not found';
  }
}

/**
 * Describe this process's environment: qaic, Node.js, onnxruntime-node versions, OS, CPU model, logical CPUs,
 * memory, and the load average when the run ended.
 */
export function collectEnvironment(): EnvironmentRows {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  return [
    ['qaic', packageVersion('qaic')],
    ['Node.js', process.version],
    ['onnxruntime-node', packageVersion('onnxruntime-node')],
    ['OS', `${os.type()} ${os.release()} (${process.platform}/${process.arch})`],
    ['CPU', cpus[0]?.model.trim() ?? 'unknown'],
    ['logical CPUs', String(os.availableParallelism())],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`],
    ['load average (1/5/15 min)', load],
  ];
}

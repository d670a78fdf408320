/**
 * The facts about the machine and software that a latency figure depends on, recorded next to it so that two
 * result files can be compared honestly.
 */
import { cpus, totalmem, release, platform, arch, availableParallelism } from 'node:os';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a measurement was taken. */
export interface Environment {
  /** model name of the first CPU as the OS reports it (`'unknown'` when it reports none) */
  cpuModel: string;
  /** logical cores the OS reports */
  logicalCores: number;
  /** cores Node may use (`os.availableParallelism()`) */
  availableParallelism: number;
  /** physical memory, bytes (`os.totalmem()`) */
  totalMemoryBytes: number;
  /** operating system, as `os.platform()` (`'linux'`, `'darwin'`, `'win32'`...) */
  platform: string;
  /** CPU architecture, as `os.arch()` (`'x64'`, `'arm64'`...) */
  arch: string;
  /** kernel release, as `os.release()` */
  osRelease: string;
  /** Node.js version, as `process.version` (`'v22.11.0'`) */
  nodeVersion: string;
  /** this library's version (`qaic` package.json) */
  qaicVersion: string;
  /** version of the `onnxruntime-node` package that runs the graphs (`'unknown'` when it cannot be found) */
  onnxruntimeVersion: string;
  /** `/sys/.../scaling_governor` of cpu0 when readable (frequency scaling changes latencies) */
  cpuGovernor?: string;
}

function packageVersion(start: string, name: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'unknown';
}

let cached: Environment | undefined;

/** Describe this machine and the library versions (computed once per process). */
export function environment(): Environment {
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  let ortDir = here;
  try {
    ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  } catch {
    // onnxruntime-node not resolvable from here: version stays 'unknown'
  }
  const cpuList = cpus();
  const env: Environment = {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    logicalCores: cpuList.length,
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    nodeVersion: process.version,
    qaicVersion: packageVersion(here, 'qaic'),
    onnxruntimeVersion: packageVersion(ortDir, 'onnxruntime-node'),
  };
  try {
    env.cpuGovernor = readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor', 'utf8').trim();
  } catch {
    // no cpufreq on this machine (common in VMs)
  }
  cached = env;
  return env;
}

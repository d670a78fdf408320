/**
 * What `printMetrics()` prints. With `run()` figures it is the Python printout, unchanged. Without them it never
 * prints a table of zeros unexplained: it says why there is nothing (only first inferences, which are kept apart,
 * or nothing at all), and when `runBenchmark()` recorded latencies it prints those under their own label, since
 * `getMetrics()` stays the `run()` figures as in Python.
 */
import type { LatencyStore } from './latency-store.js';
import { formatPythonMetrics, pythonMetrics, sessionMetrics, type GraphStores } from './report.js';

/**
 * The printout's lines: with several graphs served, the total first (the Python printout), then each graph's
 * figures under a `Graph '<name>':` line, from the same figures as `getMetrics().graphs`.
 *
 * @param store the session's latencies (`e2e` for `run()`, `benchmark` for `runBenchmark()`)
 * @param graphs each graph's latencies, for a session that serves several
 * @param onGpu whether activations ran on a GPU: a line then gives the first inferences, kept apart (see
 *   {@link gpuFirstInferenceNote})
 */
export function printMetricsLines(store: LatencyStore, graphs?: GraphStores, onGpu = false): string[] {
  const notes = [onGpu ? gpuFirstInferenceNote(store) : undefined, failuresNote(store)].filter((n): n is string => n !== undefined);
  const runs = store.summary('e2e');
  if (runs.count > 0) {
    const metrics = sessionMetrics(store, graphs);
    const lines = formatPythonMetrics(metrics);
    for (const [name, m] of Object.entries(metrics.graphs ?? {})) lines.push(`Graph '${name}':`, ...formatPythonMetrics(m).map((l) => `  ${l}`));
    return [...lines, ...notes];
  }
  return [...withoutRuns(store), ...notes];
}

/**
 * The line for failed inferences (the Python printout has none: the SDK's runs either succeed or raise), or
 * undefined when none failed: without it a session that failed half its runs would print only the good half.
 */
export function failuresNote(store: LatencyStore): string | undefined {
  const failures = store.failures();
  if (failures.total === 0) return undefined;
  const codes = Object.entries(failures.byCode).map(([code, n]) => `${code}: ${n}`).join(', ');
  return `Failed inferences, not in the figures above: ${failures.total} (${codes}; see getMetricsReport().failures)`;
}

/**
 * The note for a session whose activations run on a GPU: each activation's first inference, in seconds, with what it
 * includes (compiling the GPU's shaders, seconds on a software device) and that the figures leave it out; undefined
 * when no first inference was recorded. The CPU printout has no such line: it stays the Python one.
 */
export function gpuFirstInferenceNote(store: LatencyStore): string | undefined {
  const firsts = [...store.firstInferences()].filter(([, f]) => f.e2e !== undefined).sort((a, b) => a[0] - b[0]);
  if (firsts.length === 0) return undefined;
  const each = firsts.map(([a, f]) => `activation ${a} ${f.e2e} s`).join(', ');
  return `First inference on the GPU, kept out of the figures above (it includes compiling the GPU's shaders; see getMetricsReport().firstInference): ${each}`;
}

/** The printout without run() figures: why there are none, and the benchmark's when it recorded some. */
function withoutRuns(store: LatencyStore): string[] {
  const firsts = [...store.firstInferences().values()].filter((f) => f.e2e !== undefined).length;
  const why = firsts === 0
    ? 'No run() inference recorded yet: getMetrics() has no figures (every field is 0).'
    : `No run() inference recorded after the first one of each activation (${firsts === 1 ? '1 first inference kept apart: it pays' : `${firsts} first inferences kept apart: they pay`} one-off costs; see getMetricsReport().firstInference): getMetrics() has no figures (every field is 0).`;
  const bench = store.summary('benchmark');
  if (bench.count === 0) return [why];
  return [
    why,
    `runBenchmark() latencies instead (issue to completion inside the activations, warm-up excluded; also getMetricsReport().stages.benchmark):`,
    ...formatPythonMetrics(pythonMetrics(bench)),
  ];
}

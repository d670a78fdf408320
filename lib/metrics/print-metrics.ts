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
 */
export function printMetricsLines(store: LatencyStore, graphs?: GraphStores): string[] {
  const runs = store.summary('e2e');
  if (runs.count > 0) {
    const metrics = sessionMetrics(store, graphs);
    const lines = formatPythonMetrics(metrics);
    for (const [name, m] of Object.entries(metrics.graphs ?? {})) lines.push(`Graph '${name}':`, ...formatPythonMetrics(m).map((l) => `  ${l}`));
    return lines;
  }
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

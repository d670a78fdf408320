import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import type { RunTrace } from '../../lib/runtime/trace.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';
import { captureLog } from '../metrics/helpers.js';

t.test('a session serving several graphs reports latencies per graph and in total', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { enable_metrics: true });
  t.teardown(() => session.close());
  await session.setup();
  const traces: RunTrace[] = [];
  session.observe({ onRun: (trace) => traces.push(trace) });
  const shapes = [[1, 2, 4, 6], [1, 2, 6, 4], [1, 2, 4, 6], [1, 2, 4, 6], [1, 2, 6, 4], [1, 2, 6, 4], [1, 2, 4, 6]];
  for (const shape of shapes) await session.run({ x: { data: new Float32Array(48), shape } });
  t.same(traces.map((r) => r.graph), shapes.map((s) => (s[2] === 4 ? '4x6' : '6x4')), 'each trace names its graph');
  t.same(traces.map((r) => r.first), [true, true, false, false, false, false, false], "each graph's first run on the activation is kept apart");
  const report = session.getMetricsReport();
  t.same(Object.keys(report.graphs ?? {}).sort(), ['4x6', '6x4']);
  t.equal(report.graphs!['4x6']!.stages.e2e!.all.count, 3, 'landscape: 4 runs, the first apart');
  t.equal(report.graphs!['6x4']!.stages.e2e!.all.count, 2, 'portrait: 3 runs, the first apart');
  t.equal(report.stages.e2e!.all.count, 5, 'total: every steady-state run');
  t.equal(session.getMetrics().num_of_inferences, 5);

  // getMetrics(), printMetrics() and the export give the same per-graph figures as the report
  const metrics = session.getMetrics();
  t.same(Object.keys(metrics.graphs ?? {}).sort(), ['4x6', '6x4']);
  t.equal(metrics.graphs!['4x6']!.num_of_inferences, 3);
  t.equal(metrics.graphs!['6x4']!.num_of_inferences, 2);
  t.equal(metrics.graphs!['6x4']!.max_latency, report.graphs!['6x4']!.stages.e2e!.all.max, 'one source: the report');
  const lines = await captureLog(() => session.printMetrics());
  t.equal(lines[0], 'Number of inferences utilized for calculation are 5', 'the total first, in the Python wording');
  const landscape = lines.indexOf("Graph '4x6':");
  const portrait = lines.indexOf("Graph '6x4':");
  t.ok(landscape > 0 && portrait > landscape, 'then each graph under its name');
  t.equal(lines[landscape + 1], '  Number of inferences utilized for calculation are 3');
  t.equal(lines[portrait + 1], '  Number of inferences utilized for calculation are 2');
  const doc = session.exportMetrics();
  t.equal(doc.summary.graphs!['6x4']!.num_of_inferences, 2, 'the export summary has each graph');
  t.equal(doc.breakdown.graphs!['4x6']!.stages.e2e!.all.count, 3, 'and its breakdown too');
});

t.test('a session serving one graph reports no per-graph figures', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { enable_metrics: true, graph: '6x4' });
  t.teardown(() => session.close());
  for (let i = 0; i < 3; i++) await session.run({ x: { data: new Float32Array(48), shape: [1, 2, 6, 4] } });
  t.equal(session.getMetrics().graphs, undefined);
  t.equal(session.getMetricsReport().graphs, undefined);
  t.notOk((await captureLog(() => session.printMetrics())).some((l) => l.startsWith('Graph ')));
  t.equal(session.exportMetrics().summary.graphs, undefined);
});

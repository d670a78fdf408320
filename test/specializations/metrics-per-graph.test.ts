import t from 'tap';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import type { RunTrace } from '../../lib/runtime/trace.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

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
});

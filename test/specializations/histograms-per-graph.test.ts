import t from 'tap';
import { join } from 'node:path';
import { HistogramLogReader, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

// exportMetrics()'s histograms and histogramLog() carry each graph's histograms beside the totals, from the same
// per-graph stores as getMetricsReport().graphs, so their counts are the report's.

function logCounts(log: string): Record<string, number> {
  const reader = new HistogramLogReader(log);
  const counts: Record<string, number> = {};
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) counts[h.tag] = h.totalCount;
  return counts;
}

t.test("each graph's histograms are exported, tagged <graph>/<stage>.act<index>", async (t) => {
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(tempDir(t), 'p') })).programDir;
  const session = new Session(program, { enable_metrics: true });
  t.teardown(() => session.close());
  const shapes = [[1, 2, 4, 6], [1, 2, 6, 4], [1, 2, 4, 6], [1, 2, 4, 6], [1, 2, 6, 4], [1, 2, 6, 4], [1, 2, 4, 6]];
  for (const shape of shapes) await session.run({ x: { data: new Float32Array(48), shape } });
  const report = session.getMetricsReport();
  const doc = session.exportMetrics();
  const counts = logCounts(session.histogramLog());
  for (const graph of ['4x6', '6x4']) {
    const want = report.graphs![graph]!.stages.e2e!.all.count;
    t.equal(decodeFromCompressedBase64(doc.histograms[`${graph}/e2e.act0`]!).totalCount, want, `${graph}: the JSON histogram has the report's count`);
    t.equal(counts[`${graph}/e2e.act0`], want, `${graph}: and so has the log's`);
    t.equal(counts[`${graph}/ort.act0`], want, `${graph}: every stage is there`);
  }
  t.equal(counts['e2e.act0'], report.stages.e2e!.all.count, 'the totals keep their tags');
  t.same(Object.keys(counts).sort(), Object.keys(doc.histograms).sort(), 'the log and the document carry the same histograms');
});

t.test('a session serving one graph exports no per-graph histograms', async (t) => {
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(tempDir(t), 'p') })).programDir;
  const session = new Session(program, { enable_metrics: true, graph: '6x4' });
  t.teardown(() => session.close());
  for (let i = 0; i < 3; i++) await session.run({ x: { data: new Float32Array(48), shape: [1, 2, 6, 4] } });
  t.notOk(Object.keys(session.exportMetrics().histograms).some((tag) => tag.includes('/')));
  t.notOk(Object.keys(logCounts(session.histogramLog())).some((tag) => tag.includes('/')));
});

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { CLS_MODEL } from '../fixtures/models.js';
import { pseudoImage } from '../fixtures/images.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';
import { captureLog } from '../metrics/helpers.js';

// A profiled PP-OCR cls session on ['gpu', 'cpu']: printProfileData() gives the time per unit and per subnet of
// session.placement, and the trace puts each unit's node events on a track of its own. Fails in CI without an adapter.
const skip = await skipWithoutGpu(t);

t.test("profiling cls on ['gpu', 'cpu']: time per unit and per subnet, one trace track per unit", { skip }, async (t) => {
  const dir = t.testdir();
  const session = new Session(CLS_MODEL, { compute_unit: ['gpu', 'cpu'], enable_profiling: true });
  t.teardown(() => session.close());
  for (let i = 0; i < 2; i++) await session.run({ x: { data: pseudoImage([1, 3, 48, 192], i), shape: [1, 3, 48, 192] } });
  const placement = session.placement!;
  const lines = await captureLog(() => session.printProfileData(1, { maxOperators: 1000 }));
  const unitHeader = lines.findIndex((l) => /^unit\s+calls\s+total \(s\)\s+copies in\s+copy time \(s\)\s+share$/.test(l));
  t.ok(unitHeader > 0, 'the per-unit table');
  const unitRows = lines.slice(unitHeader + 2, unitHeader + 4).map((l) => l.split(/\s+/));
  t.same(unitRows.map((r) => r[0]).sort(), ['cpu', 'gpu'], 'a row per unit');
  for (const r of unitRows) t.equal(Number(r[1]), 2 * placement.totals[r[0] as 'cpu' | 'gpu']!.nodes, `${r[0]}: each of its nodes ran once per inference`);
  const subnetHeader = lines.findIndex((l) => /^subnet\s+unit\s+nodes\s+total \(s\)/.test(l));
  t.ok(subnetHeader > unitHeader, 'then the per-subnet table');
  const subnetRows = lines.slice(subnetHeader + 2).filter((l) => /^\d+\s/.test(l));
  t.equal(subnetRows.length, placement.subnets.length, 'a row per subnet of session.placement');
  t.same(subnetRows.map((l) => l.split(/\s+/)[1]), placement.subnets.map((s) => s.unit));
  t.notOk(lines.some((l) => /node event\(s\) of nodes the placement does not name/.test(l)), 'every profiled node is in the report');
  t.match(lines.join('\n'), /^op type\s+node\s+provider\s+subnet\s+calls/m, 'the operator table names subnets');

  const doc = JSON.parse(readFileSync(await session.writeTrace(join(dir, 'trace.json')), 'utf8')) as { traceEvents: Array<{ ph: string; name: string; tid: number; args?: Record<string, unknown> }> };
  const tracks = doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!.name);
  t.ok(tracks.includes('onnxruntime gpu') && tracks.includes('onnxruntime cpu'), `a track per unit (${tracks.join(', ')})`);
  const clips = doc.traceEvents.filter((e) => e.ph === 'X' && e.args?.op_name === 'Clip');
  t.ok(clips.length > 0 && clips.every((e) => e.tid === 3 && e.args!.unit === 'cpu' && typeof e.args!.subnet === 'number'), 'Clip nodes on the CPU track, with their subnet');
  t.ok(doc.traceEvents.some((e) => e.ph === 'X' && e.tid === 4 && e.args?.op_name === 'Conv'), 'Conv nodes on the GPU track');
});

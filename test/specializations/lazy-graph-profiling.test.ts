import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { lcgFloats, tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

// With enable_profiling, a graph an activation loads on its first use is profiled like the graph loaded at start:
// its runs appear in the operator table and in the trace, labelled with the graph.
t.test('the operator profile and the trace include the runs of a graph loaded on first use', async (t) => {
  const root = tempDir(t);
  const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(root, 'p') })).programDir;
  const session = new Session(program, { enable_profiling: true, output_dir: join(root, 'out') });
  t.teardown(() => session.close());
  for (let i = 0; i < 2; i++) await session.run({ x: { data: lcgFloats(48, i + 1), shape: [1, 2, 4, 6] } });
  for (let i = 0; i < 3; i++) await session.run({ x: { data: lcgFloats(48, i + 7), shape: [1, 2, 6, 4] } });

  const rows = await session.getOperatorProfile();
  t.ok(rows.length > 0, 'operators were profiled');
  for (const row of rows) t.equal(row.calls, 5, `${row.opType} ${row.node}: 2 landscape + 3 portrait runs`);

  const doc = JSON.parse(readFileSync(await session.writeTrace(join(root, 'trace.json')), 'utf8')) as { traceEvents: Array<{ ph: string; name: string; tid: number; args?: Record<string, unknown> }> };
  const runs = doc.traceEvents.filter((e) => e.ph === 'X' && e.tid === 2 && e.name === 'model_run');
  t.equal(runs.filter((e) => e.args?.graph === '4x6').length, 2, "onnxruntime's runs of the graph loaded at start");
  t.equal(runs.filter((e) => e.args?.graph === '6x4').length, 3, "onnxruntime's runs of the graph loaded on first use");

  // profiling cannot restart in an activation: a graph first used after the profile was collected is not profiled
  // (nobody would end it), and still runs
  const fresh = new Session(program, { enable_profiling: true, output_dir: join(root, 'out2') });
  t.teardown(() => fresh.close());
  await fresh.run({ x: { data: lcgFloats(48, 1), shape: [1, 2, 4, 6] } });
  t.ok((await fresh.getOperatorProfile()).length > 0);
  const late = await fresh.run({ x: { data: lcgFloats(48, 2), shape: [1, 2, 6, 4] } });
  t.same(late.y!.shape, [1, 8, 6, 4], 'a graph loaded after profiling ended serves');
});

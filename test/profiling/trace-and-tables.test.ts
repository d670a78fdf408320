import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS, captureLog, clsInput } from '../metrics/helpers.js';

t.test('profiling: stage table, operator table and a Perfetto trace with one process per activation', async (t) => {
  const dir = t.testdir();
  const session = new Session(CLS, { enable_profiling: true, num_activations: 2, aic_num_cores: 1, output_dir: join(dir, 'out'), onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await Promise.all(Array.from({ length: 8 }, () => session.run(clsInput())));
  const lines = await captureLog(() => session.print_profile_data(3));
  const stageHeader = lines.indexOf('|  File-Line-Function  | |  num calls  | |  func time  | |  tot time  |');
  t.ok(stageHeader > 0, 'the Python header line');
  t.equal(lines.filter((l) => l.startsWith('|  File-Line-Function')).length, 3, 'one block per inference, first n only');
  const stageLines = lines.filter((l) => l.startsWith("('qaic',"));
  t.equal(stageLines.length, 18, 'six stages per inference');
  t.match(stageLines[0], /^\('qaic', 1, 'input checks'\) 1 \d[\d.e-]* \d[\d.e-]*$/);
  t.match(stageLines[3], /^\('qaic', 4, 'onnxruntime run'\) 1 /);
  // tot time of the last stage is the inference's end-to-end time printed in the block header
  const e2e = Number(/: ([\d.e-]+) s$/.exec(lines[stageHeader - 1]!)![1]);
  const tot = Number(stageLines[5]!.split(' ').pop());
  t.ok(Math.abs(e2e - tot) < 1e-9, 'the stages add up to the end-to-end time');
  const opHeader = lines.findIndex((l) => /^op type\s+node\s+provider\s+calls\s+total \(s\)\s+mean \(s\)\s+share$/.test(l));
  t.ok(opHeader > 0, 'operator table header');
  const firstOp = lines[opHeader + 2]!;
  t.match(firstOp, /^\S+\s+\S+\s+CPUExecutionProvider\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+ %$/);
  const calls = Number(firstOp.trim().split(/\s+/)[3]);
  t.equal(calls, 8, 'a node runs once per inference, counted across both activations');

  const file = await session.writeTrace(join(dir, 'trace.json'));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<Record<string, unknown>> };
  const complete = doc.traceEvents.filter((e) => e.ph === 'X');
  t.ok(complete.length > 8 * 6, 'host stages and operator events');
  t.ok(complete.every((e) => typeof e.ts === 'number' && typeof e.dur === 'number' && typeof e.pid === 'number' && typeof e.tid === 'number' && (e.ts as number) >= 0 && (e.dur as number) >= 0), 'every event has numeric ts, dur, pid, tid');
  t.same([...new Set(complete.map((e) => e.pid))].sort(), [1, 2], 'one process (track group) per activation');
  for (const pid of [1, 2]) {
    t.ok(complete.some((e) => e.pid === pid && e.tid === 1 && e.name === 'onnxruntime run'), `activation ${pid - 1}: host stages`);
    t.ok(complete.some((e) => e.pid === pid && e.tid === 2 && e.name === 'model_run'), `activation ${pid - 1}: onnxruntime events`);
  }
  // alignment: each host 'onnxruntime run' span should overlap a model_run event of its activation
  const hostRuns = complete.filter((e) => e.name === 'onnxruntime run');
  const ortRuns = complete.filter((e) => e.name === 'model_run');
  const overlaps = hostRuns.filter((h) => ortRuns.some((o) => o.pid === h.pid && (o.ts as number) < (h.ts as number) + (h.dur as number) && (h.ts as number) < (o.ts as number) + (o.dur as number)));
  t.equal(overlaps.length, hostRuns.length, 'onnxruntime events line up with the host stages');
  t.ok(doc.traceEvents.some((e) => e.ph === 'M' && e.name === 'process_name' && (e.args as { name: string }).name === 'activation 1'), 'tracks are named');
});

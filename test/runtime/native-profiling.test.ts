/**
 * enable_profiling on the native engine (issue 13): onnxruntime's profiler through the C API gives the same
 * printouts (stage and operator tables) and the same trace as the worker engine.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS, captureLog, clsInput } from '../metrics/helpers.js';
import { NATIVE_SKIP } from '../fixtures/native-engine.js';

t.test('profiling on native: stage table, operator table and a trace with onnxruntime events', { skip: NATIVE_SKIP }, async (t) => {
  const dir = t.testdir();
  const session = new Session(CLS, { engine: 'native', enable_profiling: true, num_activations: 2, output_dir: join(dir, 'out'), onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await Promise.all(Array.from({ length: 6 }, () => session.run(clsInput())));
  t.equal(session.engine, 'native');
  const lines = await captureLog(() => session.print_profile_data(2));
  t.equal(lines.filter((l) => l.startsWith('|  File-Line-Function')).length, 2, 'one stage block per inference asked for');
  t.ok(lines.some((l) => /^\('qaic', 4, 'onnxruntime run'\) 1 /.test(l)), 'the onnxruntime run stage');
  const opHeader = lines.findIndex((l) => /^op type\s+node\s+provider\s+calls/.test(l));
  t.ok(opHeader > 0, 'operator table header');
  t.match(lines[opHeader + 2], /CPUExecutionProvider\s+6\s/, 'a node runs once per inference, across both activations');
  const file = await session.writeTrace(join(dir, 'trace.json'));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<Record<string, unknown>> };
  const complete = doc.traceEvents.filter((e) => e.ph === 'X');
  t.ok(complete.some((e) => e.name === 'onnxruntime run'), 'host stages');
  t.ok(complete.some((e) => e.name === 'model_run'), "onnxruntime's own events");
});

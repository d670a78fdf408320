import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS, clsInput } from './helpers.js';

t.test('count mode runs exactly the asked number across activations; spellings and a bare number work', async (t) => {
  const session = new Session(CLS, { num_activations: 2, aic_num_cores: 1, set_size: 3, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const a = await session.run_benchmark({ num_inferences: 57, emitWarnings: false });
  t.equal(a.inf_completed, 57);
  t.equal(a.details.mode, 'count');
  const b = await session.runBenchmark({ numInferences: 13, inputs: clsInput(), emitWarnings: false });
  t.equal(b[0], 13);
  const c = await session.runBenchmark({ emitWarnings: false });
  t.equal(c[0], 40, 'default 40, as Python');
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === 'QAIC_BENCHMARK_WARNING') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  const d = await session.run_benchmark(9);
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  t.equal(d.inf_completed, 9, 'a number is num_inferences');
  t.ok(warnings.some((w) => /too short/.test(w)), 'a 9-inference run is reported too short');
  t.ok(d.details.warnings.some((w) => /P99 \(needs 100\)/.test(w)), 'and says which percentiles lack samples');
});

t.test('BAD CALL - runBenchmark arguments', async (t) => {
  const session = new Session(CLS, { onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await t.rejects(session.runBenchmark({ num_inferences: 10, inf_time: 1 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'num_inferences' \(10\) or 'inf_time' \(1\), not both/ });
  await t.rejects(session.runBenchmark({ numInferences: 10, inf_time: 1 }), { code: 'QAIC_INVALID_ARGUMENT', message: /not both/ });
  await t.rejects(session.runBenchmark({ num_inferences: 0 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'num_inferences' must be a positive integer/ });
  await t.rejects(session.runBenchmark({ inf_time: -2 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'inf_time' must be a positive number of seconds/ });
  await t.rejects(session.runBenchmark({ numInferences: 5, num_inferences: 6 }), { code: 'QAIC_INVALID_ARGUMENT', message: /same argument/ });
  await t.rejects(session.runBenchmark({ iterations: 5 } as never), { code: 'QAIC_INVALID_ARGUMENT', message: /'iterations'.*unknown argument/ });
  await t.rejects(session.runBenchmark({ input_dict: { x: new Float32Array(7) } }), { code: /^QAIC_INPUT_/ });
});

t.test('BAD CALL - random inputs need fixed shapes', async (t) => {
  const session = new Session(CLS);
  t.teardown(() => session.close());
  await t.rejects(session.runBenchmark({ num_inferences: 3 }), { code: 'QAIC_INVALID_ARGUMENT', message: /input 'x'.*onnx_define_symbol/ });
});

t.test('BAD CALL - a second benchmark while one runs is refused', async (t) => {
  const session = new Session(CLS, { aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const first = session.runBenchmark({ num_inferences: 50, emitWarnings: false });
  await t.rejects(session.runBenchmark({ num_inferences: 5 }), { code: 'QAIC_INVALID_ARGUMENT', message: /already running/ });
  t.equal((await first)[0], 50, 'the first one is unaffected');
  t.equal((await session.runBenchmark({ num_inferences: 5, emitWarnings: false }))[0], 5, 'and the next one may start');
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from './helpers.js';

t.test('a benchmark interrupted by reset() or a dying activation rejects instead of hanging', async (t) => {
  const session = new Session(CLS, { aic_num_cores: 1, onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await session.setup();
  // the expectation is attached at once: the rejection may come while reset() is still stopping the workers
  const running = t.rejects(session.runBenchmark({ inf_time: 30, emitWarnings: false }), { code: 'QAIC_ABORTED', message: /reset or closed during the benchmark/ });
  await new Promise((r) => setTimeout(r, 300));
  await session.reset();
  await running;
  await session.setup();
  const again = t.rejects(session.runBenchmark({ inf_time: 30, emitWarnings: false }), { code: 'QAIC_ACTIVATION_CRASHED', message: /activation 0 died during the benchmark/ });
  await new Promise((r) => setTimeout(r, 300));
  await session._pool!.activations[0]!.killForTesting();
  await again;
  const [completed] = await session.runBenchmark({ num_inferences: 5, emitWarnings: false });
  t.equal(completed, 5, 'the replaced activation benchmarks again');
});

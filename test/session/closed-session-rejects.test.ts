import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

// Every method that returns a promise reports its errors through the promise: a caller that attaches .catch() (or
// awaits later) must never get a synchronous throw instead.

/** [what is called, the method the error names, the call] */
type Call = [name: string, method: string, call: (s: Session) => Promise<unknown>];

const CALLS: Call[] = [
  ['runBenchmark({...})', 'runBenchmark', (s) => s.runBenchmark({ num_inferences: 1 })],
  ['runBenchmark(1)', 'runBenchmark', (s) => s.runBenchmark(1)],
  ['run_benchmark()', 'runBenchmark', (s) => s.run_benchmark({ num_inferences: 1 })],
  ['run()', 'run', (s) => s.run({ x: new Float32Array(4) })],
  ['setup()', 'setup', (s) => s.setup()],
  ['reset()', 'reset', (s) => s.reset()],
  ['updateBackendOptions()', 'updateBackendOptions', (s) => s.updateBackendOptions({ set_size: 2 })],
  ['update_backend_options()', 'updateBackendOptions', (s) => s.update_backend_options({ set_size: 2 })],
];

t.test('on a closed session every async method rejects with QAIC_SESSION_CLOSED instead of throwing', async (t) => {
  const session = new Session(addOneModel(), {});
  await session.close();
  for (const [name, method, call] of CALLS) {
    let promise: Promise<unknown> | undefined;
    t.doesNotThrow(() => { promise = call(session); }, `${name} does not throw synchronously`);
    t.ok(promise instanceof Promise, `${name} returns a promise`);
    await t.rejects(promise!, { code: 'QAIC_SESSION_CLOSED', message: `${method}() was called on a closed session` }, `${name} rejects`);
  }
  await t.resolves(session.close(), 'close() again resolves');
});

t.test('the profiling methods reject rather than throw, also for bad arguments', async (t) => {
  const session = new Session(addOneModel(), {});
  t.teardown(() => session.close());
  const calls: Array<[string, () => Promise<unknown>, string]> = [
    ['printProfileData', () => session.printProfileData(), 'QAIC_METRICS_DISABLED'],
    ['printProfileData(null options)', () => session.printProfileData(5, null as unknown as { maxOperators?: number }), 'TypeError'],
    ['print_profile_data', () => session.print_profile_data(), 'QAIC_METRICS_DISABLED'],
    ['getOperatorProfile', () => session.getOperatorProfile(), 'QAIC_METRICS_DISABLED'],
    ['writeTrace', () => session.writeTrace(), 'QAIC_METRICS_DISABLED'],
    ['runBenchmark(bad arguments)', () => session.runBenchmark({ num_inferences: -1 }), 'QAIC_INVALID_ARGUMENT'],
  ];
  for (const [name, call, code] of calls) {
    let promise: Promise<unknown> | undefined;
    t.doesNotThrow(() => { promise = call(); }, `${name} does not throw synchronously`);
    await t.rejects(promise!, code === 'TypeError' ? { name: 'TypeError' } : { code }, `${name} rejects`);
  }
  t.equal(session.state, 'created', 'none of them activated the session');
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS } from './helpers.js';

t.test('BAD CALL - metrics methods without enable_metrics name the option to set', async (t) => {
  const session = new Session(CLS);
  t.teardown(() => session.close());
  for (const call of [() => session.getMetrics(), () => session.get_metrics(), () => session.printMetrics(), () => session.getMetricsReport(), () => session.exportMetrics(), () => session.histogramLog()]) {
    t.throws(call, { code: 'QAIC_METRICS_DISABLED', message: /enable_metrics: true/ });
  }
});

t.test('BAD CALL - profiling methods without enable_profiling name enable_profiling', async (t) => {
  const session = new Session(CLS, { enable_metrics: true });
  t.teardown(() => session.close());
  await t.rejects(session.printProfileData(3), { code: 'QAIC_METRICS_DISABLED', message: /enable_profiling: true/ });
  await t.rejects(session.writeTrace(), { code: 'QAIC_METRICS_DISABLED', message: /enable_profiling/ });
});

t.test('BAD CALL - printProfileData arguments', async (t) => {
  const session = new Session(CLS, { enable_profiling: true });
  t.teardown(() => session.close());
  await t.rejects(session.printProfileData(0), { code: 'QAIC_INVALID_ARGUMENT', message: /'n' must be a positive integer.*got 0/ });
  await t.rejects(session.printProfileData(2, { maxOperators: 1.5 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'maxOperators' must be a positive integer.*got 1.5/ });
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { CLS, CLS_SYMBOLS } from '../metrics/helpers.js';

// The search's structure, whatever the machine's load decides each trial: the answer is the highest VALID rate tried,
// the first trial is at target_qps, each later one doubles, halves or bisects the current bracket.
t.test('findPeak() bisects Server target_qps and returns the highest VALID rate with every trial', async (t) => {
  const session = new Session(CLS, { onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  const seen: number[] = [];
  const peak = await session.findPeak({ target_qps: 40, target_latency: 50, min_duration: 300, max_duration: 800, min_query_count: 30, max_trials: 6, onTrial: (tr) => seen.push(tr.target_qps) });
  t.ok(peak.trials.length >= 2 && peak.trials.length <= 6, `${peak.trials.length} trials, at most max_trials`);
  t.same(seen, peak.trials.map((tr) => tr.target_qps), 'onTrial saw every trial');
  t.equal(peak.trials[0]!.target_qps, 40);
  const valid = peak.trials.filter((tr) => tr.result === 'VALID').map((tr) => tr.target_qps);
  t.equal(peak.target_qps, valid.length > 0 ? Math.max(...valid) : 0, 'the highest VALID rate tried');
  let lower = 0;
  let upper = Infinity;
  for (const tr of peak.trials) {
    if (lower > 0 && upper !== Infinity) t.equal(tr.target_qps, (lower + upper) / 2, `${tr.target_qps} bisects [${lower}, ${upper}]`);
    else if (tr !== peak.trials[0]) t.ok(tr.target_qps === 2 * (lower || upper) || tr.target_qps === (upper === Infinity ? lower : upper) / 2, `${tr.target_qps} doubles or halves to bracket`);
    t.ok(tr.target_qps >= 40 / 16, 'never below the floor (first rate / 16)');
    if (tr.result === 'VALID') lower = Math.max(lower, tr.target_qps);
    else upper = Math.min(upper, tr.target_qps);
    t.ok(tr.result === 'VALID' ? tr.reasons.length === 0 : tr.reasons.length > 0, 'INVALID trials say why');
  }
});

t.test('findPeak() refuses bad arguments before running', async (t) => {
  const session = new Session(CLS, { onnx_define_symbol: CLS_SYMBOLS });
  t.teardown(() => session.close());
  await t.rejects(session.findPeak({ target_latency: 15, precision: 2 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'precision' must be a number above 0 and below 1/ });
  await t.rejects(session.findPeak({ target_latency: 15, max_trials: 1 }), { message: /'max_trials' must be an integer of at least 2/ });
  await t.rejects(session.findPeak({ target_latency: 15, min_target_qps: 0 }), { message: /'min_target_qps' must be a positive number/ });
  await t.rejects(session.findPeak({ scenario: 'Offline' as 'Server', target_latency: 15 }), { message: /'scenario' must be 'Server'/ });
  await t.rejects(session.findPeak({ target_latency: -1 }), { message: /'target_latency' must be a positive number of milliseconds/ });
  t.equal(session.state, 'created', 'nothing was activated');
});

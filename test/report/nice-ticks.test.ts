// Linear axes use 1-2-5 steps that cover the data, with labels free of floating-point noise.
import t from 'tap';
import { niceTicks } from '../../lib/report/scale.js';
import { formatNumber } from '../../lib/report/format.js';

t.test('1-2-5 steps covering the data', async (t) => {
  const a = niceTicks(0, 9.3, 5);
  t.equal(a.step, 2);
  t.same(a.ticks.map((k) => k.label), ['0', '2', '4', '6', '8', '10']);
  const b = niceTicks(0.1, 0.7, 6);
  t.same(b.ticks.map((k) => k.label), ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
  const c = niceTicks(3, 3);
  t.ok(c.min <= 3 && c.max > 3, 'a single value still gets an axis with extent');
  t.equal(formatNumber(0.1 + 0.2), '0.3');
  t.equal(formatNumber(12345), '12345');
  t.equal(formatNumber(0.0000123), '1.23e-5');
});

t.test('BAD CALL - reversed or non-finite range', async (t) => {
  t.throws(() => niceTicks(5, 1), { code: 'QAIC_INVALID_ARGUMENT' });
  t.throws(() => niceTicks(0, Number.POSITIVE_INFINITY), { code: 'QAIC_INVALID_ARGUMENT' });
});

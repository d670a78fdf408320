// Per-operator shares: largest first, the tail folded into "other", shares add to 1, and names are escaped.
import t from 'tap';
import { operatorShares, renderOperatorChart } from '../../lib/report/operator-chart.js';
import { findAll, parseXml } from './xml.js';

t.test('sorted bars with an "other" bar and escaped names', async (t) => {
  const ops = [
    { name: 'Conv', time: 60 }, { name: 'Relu', time: 10 }, { name: 'Add<&>"x"', time: 20 },
    { name: 'Sigmoid', time: 5 }, { name: 'Resize', time: 3 }, { name: 'Concat', time: 2 },
  ];
  const shares = operatorShares(ops, 3);
  t.same(shares.map((s) => s.name), ['Conv', 'Add<&>"x"', 'Relu', 'other (3 operators)']);
  t.equal(shares[3]!.time, 10);
  t.ok(Math.abs(shares.reduce((s, x) => s + x.share, 0) - 1) < 1e-12);

  const doc = parseXml(renderOperatorChart({ unit: 'ms', operators: ops, top: 3 }));
  const bars = findAll(doc, (e) => e.attributes.class === 'bar');
  t.same(bars.map((b) => b.attributes['data-name']), ['Conv', 'Add<&>"x"', 'Relu', 'other (3 operators)'], 'names survive escaping');
  const widths = bars.map((b) => Number(b.children.find((c) => c.name === 'rect')!.attributes.width));
  t.ok(widths[0]! > widths[1]! && widths[1]! > widths[2]!, 'bar widths follow times');
  t.match(bars[0]!.children[3]!.text, /60 ms · 60\.0%/);
});

t.test('BAD CALL - no operators, negative or all-zero times', async (t) => {
  t.throws(() => operatorShares([]), { code: 'QAIC_INVALID_ARGUMENT' });
  t.throws(() => operatorShares([{ name: 'Conv', time: -1 }]), { code: 'QAIC_INVALID_ARGUMENT', message: /Conv/ });
  t.throws(() => operatorShares([{ name: 'Conv', time: 0 }]), { code: 'QAIC_INVALID_ARGUMENT' });
});

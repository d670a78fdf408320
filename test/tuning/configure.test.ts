import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { candidates, configure, formatConfigureTable, writeOptionsYaml } from '../../lib/tuning/configure.js';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

t.test('throughput search measures every layout within the cores and batch sizes, and picks the fastest', async (t) => {
  const model = addOneModel(['N', 4]);
  const seen: number[] = [];
  const result = await configure(model, {
    goal: 'throughput', cores: 2, seconds: 0.1, rounds: 1, warmup: 1, setSizes: [2], batchSizes: [1, 4],
    inputShapes: { x: [1, 4] }, onRow: (r) => seen.push(r.completed),
  });
  t.same(result.rows.map((r) => [r.num_activations, r.aic_num_cores, r.set_size, r.batchsize]),
    candidates('throughput', 2, [2], [1, 4]).map((c) => [c.num_activations, c.aic_num_cores, c.set_size, c.batchsize]));
  t.equal(result.rows.length, 6, '(1x1, 2x1, 1x2) x set size 2 x batches 1,4');
  t.equal(seen.length, 6, 'progress reported per row');
  for (const r of result.rows) {
    t.equal(r.error, undefined, `${r.num_activations}x${r.aic_num_cores} s${r.set_size} b${r.batchsize} ran`);
    t.ok(r.completed > 0 && r.throughput > 0 && r.p50Ms <= r.p99Ms);
  }
  t.equal(result.bestRow.throughput, Math.max(...result.rows.map((r) => r.throughput)));
  t.match(formatConfigureTable(result).join('\n'), /<- best \(throughput\)/);

  const yaml = join(t.testdir(), 'best.yaml');
  writeOptionsYaml(result, yaml);
  t.match(readFileSync(yaml, 'utf8'), /num_activations: \d/);
  const session = new Session(model, { options_path: yaml });
  t.teardown(() => session.close());
  t.equal(session.options.num_activations, result.best.num_activations, 'the YAML is a valid options file');
  t.equal(session.options.aic_num_cores, result.best.aic_num_cores);
  t.equal(session.options.set_size, result.best.set_size);
  t.equal(session.options.batchsize, result.best.batchsize);
  const b = result.best.batchsize!;
  const out = await session.run({ x: { data: new Float32Array(4 * b), shape: [b, 4] } });
  t.equal(out['y']!.shape[0], b);
});

t.test('latency search runs one request at a time on one activation and ranks by median', async (t) => {
  const result = await configure(addOneModel([1, 4]), { goal: 'latency', cores: 2, seconds: 0.1, warmup: 1, rounds: 3 });
  t.equal(result.rounds, 3);
  t.same(result.rows.map((r) => [r.num_activations, r.aic_num_cores, r.set_size, r.batchsize]), [[1, 1, 1, undefined], [1, 2, 1, undefined]]);
  t.equal(result.bestRow.p50Ms, Math.min(...result.rows.map((r) => r.p50Ms)));
  for (const r of result.rows) t.ok(r.throughputMin <= r.throughput && r.throughput <= r.throughputMax, 'the median lies in the rounds\' range');
  t.ok(result.loadBefore >= 0 && result.loadAfter >= 0);
});

t.test('BAD CALL - an unknown goal, bad set sizes, and symbolic dims without shapes are refused', async (t) => {
  const model = addOneModel(['N', 4]);
  await t.rejects(configure(model, { goal: 'fast' as never }), { code: 'QAIC_INVALID_ARGUMENT', message: /'goal'/ });
  await t.rejects(configure(model, { setSizes: [0] }), { code: 'QAIC_INVALID_ARGUMENT', message: /'setSizes'/ });
  await t.rejects(configure(model, { rounds: 0 }), { code: 'QAIC_INVALID_ARGUMENT', message: /'rounds'/ });
  await t.rejects(configure(model, { seconds: 0.1 }), { code: 'QAIC_INVALID_ARGUMENT', message: /inputShapes.*\{x: \[1, 4\]\}/ });
});

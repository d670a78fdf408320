import t from 'tap';
import { DEFAULT_OPTIONS, resolveOptions } from '../../lib/options.js';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

// The types say resolved options are read-only all the way down; at run time (plain JavaScript, casts) they are
// frozen, so a write throws instead of silently changing nothing, or changing the defaults every session shares.

t.test('resolved options are frozen all the way down, and so are the defaults they share', async (t) => {
  const options = resolveOptions({ onnx_define_symbol: { batch: 1 }, keep_original_precision_for_nodes: ['Add'], mos: 2 });
  const loose = options as unknown as Record<string, unknown> & { onnx_define_symbol: Record<string, number>; keep_original_precision_for_nodes: string[]; ignored: Record<string, unknown> };
  t.throws(() => { loose.set_size = 3; }, TypeError);
  t.throws(() => { loose.onnx_define_symbol.batch = 2; }, TypeError);
  t.throws(() => { loose.keep_original_precision_for_nodes.push('Mul'); }, TypeError);
  t.throws(() => { loose.ignored.mos = 3; }, TypeError);
  t.equal(options.set_size, 10);
  t.same({ ...options.onnx_define_symbol }, { batch: 1 });

  const plain = resolveOptions({}) as unknown as { onnx_define_symbol: Record<string, number>; keep_original_precision_for_nodes: string[] };
  t.throws(() => { plain.onnx_define_symbol.batch = 2; }, TypeError, 'the default symbol map cannot be changed through one session');
  t.throws(() => { plain.keep_original_precision_for_nodes.push('Mul'); }, TypeError, 'nor the default list');
  t.same({ ...DEFAULT_OPTIONS.onnx_define_symbol }, {});
  t.same([...DEFAULT_OPTIONS.keep_original_precision_for_nodes], []);
});

t.test('Session.options is frozen; updateBackendOptions() replaces it with a new frozen object', async (t) => {
  const session = new Session(addOneModel(), { set_size: 4 });
  t.teardown(() => session.close());
  const before = session.options;
  t.ok(Object.isFrozen(before));
  t.throws(() => { (before as { set_size: number }).set_size = 2; }, TypeError);
  t.throws(() => { (session as unknown as { options: unknown }).options = {}; }, TypeError, 'the property has no setter');
  await session.updateBackendOptions({ setSize: 2 });
  t.equal(session.options.set_size, 2, 'the change is visible');
  t.equal(before.set_size, 4, 'an earlier snapshot does not change under its holder');
  t.ok(Object.isFrozen(session.options));
  t.equal(session.options.aic_num_cores, before.aic_num_cores, 'everything else is kept');
});

import t from 'tap';
import { programOptions, resolveOptions } from '../../lib/options.js';
import { QaicError } from '../../lib/errors.js';

t.test("compute_unit takes AI Hub's names and lists, in order, 'all' expanded and repeats dropped", async (t) => {
  t.same(resolveOptions({}).compute_unit, ['cpu'], 'default: the CPU');
  t.same(resolveOptions({ compute_unit: 'gpu' }).compute_unit, ['gpu']);
  t.same(resolveOptions({ compute_unit: 'all' }).compute_unit, ['npu', 'gpu', 'cpu'], "'all' is AI Hub's order");
  t.same(resolveOptions({ compute_unit: 'gpu,cpu' }).compute_unit, ['gpu', 'cpu'], 'the CLI spelling');
  t.same(resolveOptions({ compute_unit: ['GPU', 'cpu', 'gpu', 'all'] as never }).compute_unit, ['gpu', 'cpu', 'npu'], 'case-insensitive, first mention wins');
  t.same(resolveOptions({ computeUnit: ['cpu', 'gpu'] }).compute_unit, ['cpu', 'gpu'], 'camelCase spelling, order kept');
  t.ok(Object.isFrozen(resolveOptions({ compute_unit: 'gpu,cpu' }).compute_unit));
});

t.test('BAD INPUT - a unit that does not exist, an empty list or a non-string is refused naming the option', async (t) => {
  const bad: unknown[] = ['tpu', 'gpu,,cpu', [], ['gpu', 7], 42, '', ['gpu', 'cpu', 'x'], new Array(17).fill('cpu')];
  for (const value of bad) {
    t.throws(() => resolveOptions({ compute_unit: value as never }), { code: 'QAIC_INVALID_OPTION', message: /option 'compute_unit'.*expected 'cpu', 'gpu', 'npu', 'all', or an ordered list/ }, JSON.stringify(value));
  }
  const error = (() => { try { resolveOptions({ compute_unit: 'gpo' as never }); } catch (e) { return e as QaicError; } return undefined; })();
  t.match(error?.message, /did you mean 'gpu'/);
});

t.test('the units enter the compile key in their order, and the CPU default leaves existing keys alone', async (t) => {
  t.notOk('compute_unit' in programOptions(resolveOptions({})), 'programs compiled before the option keep their key');
  t.notOk('compute_unit' in programOptions(resolveOptions({ compute_unit: 'cpu' })));
  t.same(programOptions(resolveOptions({ compute_unit: 'gpu,cpu' })).compute_unit, ['gpu', 'cpu']);
  t.same(programOptions(resolveOptions({ compute_unit: 'cpu,gpu' })).compute_unit, ['cpu', 'gpu'], 'order matters: another partition');
});

t.test('the YAML key is compute_unit, as a list or as the CLI string', async (t) => {
  const dir = t.testdir({ 'list.yaml': 'compute_unit: [gpu, cpu]\n', 'string.yaml': 'compute_unit: all\n' });
  t.same(resolveOptions({ options_path: `${dir}/list.yaml` }).compute_unit, ['gpu', 'cpu']);
  t.same(resolveOptions({ options_path: `${dir}/string.yaml` }).compute_unit, ['npu', 'gpu', 'cpu']);
  t.same(resolveOptions({ options_path: `${dir}/list.yaml`, compute_unit: 'cpu' }).compute_unit, ['cpu'], 'code wins over the file');
});

t.test('compute_unit_for_nodes takes { cpu: [...] } only, and does not enter the compile key', async (t) => {
  t.same(resolveOptions({}).compute_unit_for_nodes, { cpu: [] });
  t.same(resolveOptions({ compute_unit_for_nodes: { cpu: ['Sigmoid', 'head/conv', 'Sigmoid'] } }).compute_unit_for_nodes, { cpu: ['Sigmoid', 'head/conv'] });
  t.notOk('compute_unit_for_nodes' in programOptions(resolveOptions({ compute_unit_for_nodes: { cpu: ['Sigmoid'] } })));
  for (const value of [{ gpu: ['Conv'] }, ['Sigmoid'], { cpu: 'Sigmoid' }, { cpu: [''] }, { cpu: [3] }, null]) {
    t.throws(() => resolveOptions({ compute_unit_for_nodes: value as never }), { code: 'QAIC_INVALID_OPTION', message: /option 'compute_unit_for_nodes(\.cpu)?'/ }, JSON.stringify(value));
  }
});

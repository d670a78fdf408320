import t from 'tap';
import { resolveOptions } from '../../lib/options.js';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

t.test('BAD CALL - an unknown option suggests the closest known name', async (t) => {
  t.throws(() => resolveOptions({ num_activation: 2 } as never), { code: 'QAIC_INVALID_OPTION', message: /unknown option 'num_activation'; did you mean 'num_activations'\?/ });
  t.throws(() => resolveOptions({ setSise: 2 } as never), { code: 'QAIC_INVALID_OPTION', message: /unknown option 'setSise'; did you mean 'set_size'\?/ });
  t.throws(() => resolveOptions({ completely_unrelated_thing: 1 } as never), { code: 'QAIC_INVALID_OPTION', message: /^unknown option 'completely_unrelated_thing'$/ });
  t.throws(() => new Session(identityModel('float32'), { enable_metric: true } as never), { code: 'QAIC_INVALID_OPTION', message: /did you mean 'enable_metrics'\?/ });
});

t.test('BAD CALL - the int8 keep option under its former name (keep_worst_nodes, no alias) points to keep_stem_nodes', async (t) => {
  // edit distance 5, the most a 16-character name is allowed: a new option closer to the old name would take this over
  t.throws(() => resolveOptions({ keep_worst_nodes: 2 } as never), {
    code: 'QAIC_INVALID_OPTION', message: /^unknown option 'keep_worst_nodes'; did you mean 'keep_stem_nodes'\?$/, details: { suggestion: 'keep_stem_nodes' },
  });
  t.throws(() => resolveOptions({ keepWorstNodes: 2 } as never), { code: 'QAIC_INVALID_OPTION', message: /did you mean 'keep_stem_nodes'\?/ });
});

t.test('BAD CALL - wrong types and ranges name the option, the expected and the given value', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ num_activations: 0 }, /option 'num_activations': expected an integer from 1 to 1024, got 0 \(number\)/],
    [{ num_activations: 1.5 }, /option 'num_activations': expected an integer, got 1\.5 \(number\)/],
    [{ set_size: '4' }, /option 'set_size': expected an integer, got '4' \(string\)/],
    [{ enable_metrics: 1 }, /option 'enable_metrics': expected a boolean, got 1 \(number\)/],
    [{ output_dir: '' }, /option 'output_dir': expected a non-empty string, got '' \(string\)/],
    [{ onnx_define_symbol: { N: 0 } }, /option 'onnx_define_symbol\.N': expected a positive integer size, got 0 \(number\)/],
    [{ keep_original_precision_for_nodes: 'Conv' }, /option 'keep_original_precision_for_nodes': expected an array of strings/],
    [{ backend: 'cuda' }, /option 'backend': expected 'qaic' or 'aic'.*got 'cuda'/],
  ];
  for (const [options, message] of cases) {
    t.throws(() => resolveOptions(options), { code: 'QAIC_INVALID_OPTION', message }, JSON.stringify(options));
  }
  t.throws(() => resolveOptions(42 as never), { code: 'QAIC_INVALID_OPTION', message: /options must be an object/ });
});

t.test('BAD CALL - dev_id other than 0 names the one device there is', async (t) => {
  t.throws(() => resolveOptions({ dev_id: 1 }), { code: 'QAIC_INVALID_OPTION', message: /option 'dev_id': device 1 does not exist; this backend has one device, 0/ });
  t.equal(resolveOptions({ dev_id: 0 }).dev_id, 0);
});

t.test('BAD CALL - enable_metrics and enable_profiling together conflict', async (t) => {
  t.throws(() => resolveOptions({ enable_metrics: true, enable_profiling: true }), { code: 'QAIC_INVALID_OPTION', message: /'enable_metrics' and 'enable_profiling' cannot be combined/ });
  t.equal(resolveOptions({ enable_metrics: true }).enable_metrics, true);
});

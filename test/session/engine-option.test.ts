/**
 * The `engine` option (issue 13): accepted from code, camelCase, YAML, `qaic-runner --engine` and `QAIC_ENGINE`, left out
 * of the compile key, and every bad value refused naming the option (or flag, or variable) and the allowed values;
 * `session.engine` says which engine runs.
 */
import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { programOptions, resolveOptions } from '../../lib/options.js';
import { isolationOptions, parseRunnerArgs } from '../../lib/cli/runner-args.js';
import { requestedEngine } from '../../lib/runtime/engine.js';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

t.test('absent by default; code, camelCase and YAML spellings; not in the compile key', async (t) => {
  const defaults = resolveOptions({});
  t.equal(defaults.engine, undefined, 'absent: the default engine is chosen at activation');
  t.equal(resolveOptions({ engine: 'worker' }).engine, 'worker');
  t.equal(resolveOptions({ Engine: 'native' } as never).engine, 'native', 'any spelling of the name');
  const dir = t.testdir({});
  const file = join(dir, 'options.yaml');
  writeFileSync(file, 'engine: worker\n');
  t.equal(resolveOptions({ options_path: file }).engine, 'worker', 'YAML key');
  t.same(programOptions(resolveOptions({ engine: 'worker' })), programOptions(defaults), 'not in the compile key');
});

t.test('BAD CALL - a bad engine names the option and the allowed values', async (t) => {
  t.throws(() => resolveOptions({ engine: 'natve' } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'engine': expected one of 'native', 'worker' \(did you mean 'native'\?\), got 'natve'/ });
  t.throws(() => resolveOptions({ engine: 1 } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'engine'.*'native', 'worker'.*got 1 \(number\)/ });
  const dir = t.testdir({});
  const file = join(dir, 'options.yaml');
  writeFileSync(file, 'engine: gpu\n');
  t.throws(() => resolveOptions({ options_path: file }), { code: 'QAIC_INVALID_OPTION', message: /option 'engine'.*'native', 'worker'.*got 'gpu'/ });
});

t.test('qaic-runner --engine', async (t) => {
  t.same(isolationOptions(parseRunnerArgs(['-t', 'm.onnx', '--engine', 'worker'])), { engine: 'worker' });
  t.same(isolationOptions(parseRunnerArgs(['-t', 'm.onnx', '--engine=native'])), { engine: 'native' });
  t.throws(() => parseRunnerArgs(['-t', 'm.onnx', '--engine', 'fast']), { code: 'QAIC_CLI_USAGE', message: /--engine.*native.*worker/ });
});

t.test('QAIC_ENGINE sets the default; the option wins; a bad value names the variable and the allowed values', async (t) => {
  t.equal(requestedEngine(undefined, {}), undefined);
  t.equal(requestedEngine(undefined, { QAIC_ENGINE: 'worker' }), 'worker');
  t.equal(requestedEngine(undefined, { QAIC_ENGINE: 'native' }), 'native');
  t.equal(requestedEngine('native', { QAIC_ENGINE: 'worker' }), 'native', 'the option wins over the variable');
  t.throws(() => requestedEngine(undefined, { QAIC_ENGINE: 'threads' }), { code: 'QAIC_INVALID_OPTION', message: /QAIC_ENGINE.*'engine'.*'native', 'worker'; got 'threads'/ });
});

t.test('a bad QAIC_ENGINE is refused by the constructor, as a bad option is', async (t) => {
  const saved = process.env['QAIC_ENGINE'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['QAIC_ENGINE'];
    else process.env['QAIC_ENGINE'] = saved;
  });
  process.env['QAIC_ENGINE'] = 'threads';
  t.throws(() => new Session(identityModel('float32')), { code: 'QAIC_INVALID_OPTION', message: /QAIC_ENGINE.*got 'threads'/ });
  const explicit = new Session(identityModel('float32'), { engine: 'worker' });
  t.equal(explicit.options.engine, 'worker', 'the option wins: the variable is not read');
  await explicit.close();
});

t.test('session.engine: undefined before activation, then the engine that runs', async (t) => {
  const session = new Session(identityModel('float32'), { engine: 'worker' });
  t.teardown(() => session.close());
  t.equal(session.engine, undefined, 'not activated yet');
  await session.run({ x: new Float32Array(6) });
  t.equal(session.engine, 'worker');
  t.equal(session._pool!.activations[0]!.engine, 'worker', 'its activations are worker activations');
});

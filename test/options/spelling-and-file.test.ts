import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions } from '../../lib/options.js';
import { Session } from '../../lib/session.js';
import { identityModel } from '../fixtures/models.js';

t.test('snake_case and camelCase names mean the same option', async (t) => {
  const snake = resolveOptions({ set_size: 3, copy_inputs: true, activation_timeout_ms: 5000 });
  const camel = resolveOptions({ setSize: 3, copyInputs: true, activationTimeoutMs: 5000 });
  t.equal(snake.set_size, 3);
  t.equal(camel.set_size, 3);
  t.equal(camel.copy_inputs, true);
  t.equal(camel.activation_timeout_ms, 5000);
});

t.test('BAD CALL - the same option twice in two spellings', async (t) => {
  t.throws(() => resolveOptions({ set_size: 2, setSize: 3 } as never), { code: 'QAIC_INVALID_OPTION', message: /'set_size' is given twice, as 'set_size' and 'setSize'/ });
});

t.test('options_path reads YAML with kebab keys; options in code win over the file', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'options.yaml');
  writeFileSync(file, 'set-size: 4\ncopy-inputs: true\nonnx-define-symbol:\n  N: 2\nmulticast-weights: true\n');
  const fromFile = resolveOptions({ options_path: file });
  t.equal(fromFile.set_size, 4);
  t.equal(fromFile.copy_inputs, true);
  t.same({ ...fromFile.onnx_define_symbol }, { N: 2 });
  t.same({ ...fromFile.ignored }, { multicast_weights: true }, 'a no-effect flag from the file is recorded');
  const both = resolveOptions({ optionsPath: file, setSize: 7 });
  t.equal(both.set_size, 7, 'code wins over file');
  t.equal(both.copy_inputs, true, 'the file still supplies what code does not set');
  // through the Session too
  const session = new Session(identityModel('float32'), { options_path: file, set_size: 9 });
  t.equal(session.options.set_size, 9);
  t.equal(session.options.copy_inputs, true);
  await session.close();
});

t.test('BAD CALL - options file problems name the file', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'set_size: [unclosed\n', 'list.yaml': '- a\n- b\n', 'typo.yaml': 'set_sise: 2\n', 'nested.yaml': 'options_path: other.yaml\n' });
  t.throws(() => resolveOptions({ options_path: join(dir, 'missing.yaml') }), { code: 'QAIC_FILE_NOT_FOUND', message: /missing\.yaml.*no such file/ });
  t.throws(() => resolveOptions({ options_path: join(dir, 'bad.yaml') }), { code: 'QAIC_INVALID_OPTION', message: /bad\.yaml' is not valid YAML/ });
  t.throws(() => resolveOptions({ options_path: join(dir, 'list.yaml') }), { code: 'QAIC_INVALID_OPTION', message: /must hold a mapping/ });
  t.throws(() => resolveOptions({ options_path: join(dir, 'typo.yaml') }), { code: 'QAIC_INVALID_OPTION', message: /unknown option 'set_sise' in '.*typo\.yaml'; did you mean 'set_size'\?/ });
  t.throws(() => resolveOptions({ options_path: join(dir, 'nested.yaml') }), { code: 'QAIC_INVALID_OPTION', message: /may not name another options file/ });
});

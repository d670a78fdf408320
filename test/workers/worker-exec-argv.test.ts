import t from 'tap';
import { refusedFlags, withoutRefused, workerExecArgv } from '../../lib/workers/worker-exec-argv.js';

t.test('entry-point options are dropped from what workers inherit; loader and diagnostic options are kept', async (t) => {
  t.same(workerExecArgv(['--input-type=module', '-e', 'code', '--enable-source-maps']), ['--enable-source-maps']);
  t.same(workerExecArgv(['--import=file:///x.mjs', '--input-type', 'commonjs', '--eval', 'code']), ['--import=file:///x.mjs']);
  t.same(workerExecArgv(['-p', '1+1', '--max-old-space-size=512']), ['--max-old-space-size=512']);
});

t.test('with no entry-point option, nothing explicit is passed: the worker inherits natively (V8 flags included)', async (t) => {
  t.equal(workerExecArgv([]), undefined);
  t.equal(workerExecArgv(['--expose-gc', '--enable-source-maps']), undefined);
});

t.test('the flags a refusal names are read from its message and dropped, with a value given as the next argument', async (t) => {
  t.same(refusedFlags('Initiated Worker with invalid execArgv flags: --expose-gc, --stack-size'), ['--expose-gc', '--stack-size']);
  t.same(refusedFlags('some other wording'), []);
  t.same(withoutRefused(['--expose-gc', '--stack-size', '900', '--enable-source-maps'], ['--expose-gc', '--stack-size']), ['--enable-source-maps']);
  t.same(withoutRefused(['--max-old-space-size=512', '--import', 'x.mjs'], ['--max-old-space-size=512']), ['--import', 'x.mjs']);
  t.same(withoutRefused(['--jitless', '--trace-warnings'], ['--jitless']), ['--trace-warnings'], 'a following option is not taken as a value');
});

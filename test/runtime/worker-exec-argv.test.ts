import t from 'tap';
import { workerExecArgv } from '../../lib/runtime/worker-exec-argv.js';

t.test('entry-point options are dropped from what workers inherit; loader and diagnostic options are kept', async (t) => {
  t.same(workerExecArgv(['--input-type=module', '-e', 'code', '--enable-source-maps']), ['--enable-source-maps']);
  t.same(workerExecArgv(['--import=file:///x.mjs', '--input-type', 'commonjs', '--eval', 'code']), ['--import=file:///x.mjs']);
  t.same(workerExecArgv(['-p', '1+1', '--max-old-space-size=512']), ['--max-old-space-size=512']);
  t.same(workerExecArgv([]), []);
});

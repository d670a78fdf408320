import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Users run scripts and notebooks with V8 and process-wide flags that worker threads refuse in an explicit
// execArgv (--expose-gc, --max-old-space-size, --stack-size): the compile worker and every activation must still
// start, both when the flags are inherited natively and when entry-point options force an explicit list.
const sessionUrl = new URL('../../lib/session.js', import.meta.url).href;
const fixturesUrl = new URL('../fixtures/models.js', import.meta.url).href;
const script = `
  const { Session } = await import(${JSON.stringify(sessionUrl)});
  const { addOneModel } = await import(${JSON.stringify(fixturesUrl)});
  const session = new Session(addOneModel(), { num_activations: 2, onnx_define_symbol: { N: 1 } });
  const out = await session.run({ x: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] } });
  await session.close();
  console.log('done', Array.from(out.y.data).join(','), typeof gc);
`;
const run = (args: string[]) => spawnSync(process.execPath, args, {
  cwd: resolve(process.cwd()), encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' },
});

t.test('a script run with V8 flags (inherited natively) compiles and runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-flags-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'main.mjs');
  writeFileSync(file, script);
  const child = run(['--expose-gc', '--max-old-space-size=512', '--no-warnings', file]);
  t.equal(child.status, 0, `exit code 0 (stderr: ${child.stderr.slice(0, 400)})`);
  t.match(child.stdout, /done 2,3,4,5 function/);
});

t.test('a one-liner with V8 flags (explicit list, refused flags dropped) compiles and runs', async (t) => {
  const child = run(['--expose-gc', '--stack-size=900', '--max-old-space-size=512', '--no-warnings', '--input-type=module', '-e', script]);
  t.equal(child.status, 0, `exit code 0 (stderr: ${child.stderr.slice(0, 400)})`);
  t.match(child.stdout, /done 2,3,4,5 function/);
});

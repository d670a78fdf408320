import t from 'tap';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const sessionUrl = new URL('../../lib/session.js', import.meta.url).href;
const fixturesUrl = new URL('../fixtures/models.js', import.meta.url).href;

t.test('a session that is never closed does not keep the process alive once its work is done', async (t) => {
  const script = `
    const { Session } = await import(${JSON.stringify(sessionUrl)});
    const { addOneModel } = await import(${JSON.stringify(fixturesUrl)});
    const session = new Session(addOneModel(), { num_activations: 2 });
    const out = await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } });
    console.log('done', out.y.data[0]);
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
    cwd: resolve(process.cwd()), encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' },
  });
  t.equal(child.error, undefined, 'the process exited by itself (no timeout)');
  t.equal(child.status, 0, `exit code 0 (stderr: ${child.stderr.slice(0, 300)})`);
  t.match(child.stdout, /done 1/);
});

t.test('a run in flight keeps the process alive until it completes', async (t) => {
  const script = `
    const { Session } = await import(${JSON.stringify(sessionUrl)});
    const { slowModel } = await import(${JSON.stringify(fixturesUrl)});
    const session = new Session(slowModel());
    await session.setup();
    // not awaited: nothing but the activation keeps the event loop busy
    session.run({ x: new Float32Array(512 * 512).fill(1) }).then((out) => console.log('result', out.y.shape.join('x')));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
    cwd: resolve(process.cwd()), encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' },
  });
  t.equal(child.status, 0, `exit code 0 (stderr: ${child.stderr.slice(0, 300)})`);
  t.match(child.stdout, /result 512x512/, 'the result arrived before exit');
});

import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';

// A GPU session keeps the shaders it compiles in <QAIC_CACHE_DIR>/shaders (Mesa's MESA_SHADER_CACHE_DIR), for its
// activations in this process (the native engine's threads, or worker threads) and for the children of process
// isolation; a user's own MESA_SHADER_CACHE_DIR is left alone. Each
// case runs in a child process (the driver reads the variable once per process) on a tiny y = x + 1 model.
const skip = await skipWithoutGpu(t);

/** The child's script: run the model on ['gpu', 'cpu'] with `isolation`, then report what the environment says. */
const RUN = `
  const { Session } = await lib('session.js');
  const { addOneModel } = await fixtures('models.js');
  const { readdirSync, rmSync } = await import('node:fs');
  const path = addOneModel([2, 4]);
  const runOn = async (isolation) => {
    const session = new Session(path, { compute_unit: ['gpu', 'cpu'], isolation });
    try {
      return Array.from((await session.run({ x: { data: new Float32Array(8), shape: [2, 4] } })).y.data);
    } finally {
      await session.close();
    }
  };
`;

function fresh(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-shader-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const filesUnder = (dir: string): number => readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, String(f))).isFile()).length;

t.test('without MESA_SHADER_CACHE_DIR the shaders go to <cache>/shaders, in threads and in isolated processes', { skip }, async (t) => {
  const dir = fresh(t);
  const cache = join(dir, 'cache');
  const result = finished(t, await isolated(RUN + `
    delete process.env.MESA_SHADER_CACHE_DIR;
    const shaders = process.env.QAIC_CACHE_DIR + '/shaders';
    const thread = await runOn('thread');
    const env = process.env.MESA_SHADER_CACHE_DIR;
    const afterThread = readdirSync(shaders, { recursive: true }).length;
    // empty it: the isolated activation (a new process, its own driver) must write there again to fill it
    for (const entry of readdirSync(shaders)) rmSync(shaders + '/' + entry, { recursive: true, force: true });
    const processed = await runOn('process');
    report({ thread, processed, env, afterThread });
  `, { env: { QAIC_CACHE_DIR: cache }, timeoutMs: 240_000 }));
  const shaders = join(cache, 'shaders');
  t.same(result.thread, [1, 1, 1, 1, 1, 1, 1, 1], 'the thread activation ran on the GPU unit');
  t.same(result.processed, [1, 1, 1, 1, 1, 1, 1, 1], 'so did the isolated one');
  t.equal(result.env, shaders, 'MESA_SHADER_CACHE_DIR names the folder beside the compiled programs');
  t.ok(result.afterThread > 0, `the thread activation's shaders were stored there (${result.afterThread} entries)`);
  t.equal(statSync(shaders).mode & 0o777, 0o700, 'the folder is private to its owner');
  t.ok(filesUnder(shaders) > 0, 'the isolated activation inherited the variable and stored its shaders there too');
});

t.test("a user's MESA_SHADER_CACHE_DIR is left as it is, and nothing is made beside the compile cache", { skip }, async (t) => {
  const dir = fresh(t);
  const cache = join(dir, 'cache');
  const mine = join(dir, 'mine');
  mkdirSync(mine);
  const result = finished(t, await isolated(RUN + `
    const ran = await runOn('thread');
    report({ ran, env: process.env.MESA_SHADER_CACHE_DIR });
  `, { env: { QAIC_CACHE_DIR: cache, MESA_SHADER_CACHE_DIR: mine }, timeoutMs: 240_000 }));
  t.same(result.ran, [1, 1, 1, 1, 1, 1, 1, 1]);
  t.equal(result.env, mine, 'the variable keeps the user’s value');
  t.notOk(readdirSync(cache).includes('shaders'), 'no shaders folder beside the compile cache');
  t.ok(filesUnder(mine) > 0, "the driver cached in the user's folder");
});

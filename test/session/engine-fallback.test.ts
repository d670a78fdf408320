/**
 * Falling back to the worker engine (issue 13): an addon that cannot be loaded gives the worker engine and one
 * QAIC_ENGINE_FALLBACK warning per process with the loader's reason, whether native was asked for or was the default;
 * an explicit 'native' that cannot apply (isolation 'process') says why; a GPU in compute_unit is no reason (the native
 * engine appends its provider). Runs in a child process whose
 * QAIC_NATIVE_ADDON names a file that does not exist.
 */
import t from 'tap';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

t.test('the addon missing: worker engine, one QAIC_ENGINE_FALLBACK per process naming the file', async (t) => {
  const missing = join(t.testdir({}), 'no-such-addon.node');
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const warnings = [];
    process.on('warning', (w) => { if (w.code === 'QAIC_ENGINE_FALLBACK') warnings.push(w.message); });
    const engines = [];
    for (const options of [{}, { engine: 'native' }, {}]) {
      const session = new Session(identityModel('float32'), { compile: false, ...options });
      await session.run({ x: new Float32Array(6) });
      engines.push(session.engine);
      await session.close();
    }
    const isolatedSession = new Session(identityModel('float32'), { compile: false, engine: 'native', isolation: 'process' });
    await isolatedSession.run({ x: new Float32Array(6) });
    engines.push(isolatedSession.engine);
    await isolatedSession.close();
    const { chooseEngine } = await lib('runtime/engine.js');
    engines.push(chooseEngine('native', { isolation: 'thread' }));
    await new Promise((r) => setImmediate(r));
    report({ engines, warnings });
  `, { timeoutMs: 60_000, env: { QAIC_NATIVE_ADDON: missing, QAIC_ENGINE: '' } }));
  t.same(result.engines, ['worker', 'worker', 'worker', 'worker', 'worker'], 'every session runs on the worker engine');
  const addon = result.warnings.filter((w: string) => w.includes('cannot be loaded'));
  t.equal(addon.length, 1, 'the missing addon is warned about once per process');
  t.match(addon[0], /no-such-addon\.node/, 'naming the file');
  t.ok(result.warnings.some((w: string) => /option 'engine' is 'native', but option 'isolation' is 'process'/.test(w)), "an explicit 'native' with isolation 'process' says why it does not apply");
  t.notOk(result.warnings.some((w: string) => /compute_unit/.test(w)), 'a GPU in compute_unit is not a reason: only the missing addon is');
});

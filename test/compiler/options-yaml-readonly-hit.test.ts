import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

// A read-only output_dir that already holds the compiled program (a cache hit) must work: rewriting options.yaml
// there failed with a raw EACCES. Root ignores file modes, so as root the folder is made immutable (chattr +i).
t.test('a read-only output_dir holding the compiled program is used without EACCES', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'qaic-yaml-ro-'));
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  t.teardown(() => {
    if (asRoot) spawnSync('chattr', ['-i', join(root, 'out')]);
    chmodSync(join(root, 'out'), 0o755);
    rmSync(root, { recursive: true, force: true });
  });
  const dir = join(root, 'out');
  const model = join(root, 'model.onnx');
  const first = finished(t, await isolated(`
    const { compile } = await lib('compiler/compile.js');
    const { addOneModel } = await fixtures('models.js');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(addOneModel([1, 4]), ${JSON.stringify(model)});
    report(await attempt(async () => (await compile(${JSON.stringify(model)}, { output_dir: ${JSON.stringify(dir)}, set_size: 2 })).cached));
  `));
  t.same(first, { ok: true, value: false }, 'compiled');
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o444);
  chmodSync(dir, 0o555);
  if (asRoot && spawnSync('chattr', ['+i', dir]).status !== 0) {
    t.comment('running as root on a file system without chattr +i: no way to make the folder read-only here');
    return;
  }
  t.throws(() => writeFileSync(join(dir, 'probe'), ''), { code: /EACCES|EPERM/ }, 'the folder is read-only');
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.code));
    const outcome = await attempt(async () => {
      // other runtime options than the compile's: options.yaml would change, and cannot be written
      const session = new Session(${JSON.stringify(model)}, { output_dir: ${JSON.stringify(dir)}, set_size: 5 });
      try { return Array.from((await session.run({ x: new Float32Array(4) })).y.data); } finally { await session.close(); }
    });
    await new Promise((r) => setImmediate(r));
    report({ outcome, warnings });
  `));
  t.same(result.outcome, { ok: true, value: [1, 1, 1, 1] }, 'the cached program ran');
  t.ok((result.warnings as string[]).includes('QAIC_OPTIONS_YAML_NOT_WRITTEN'), 'a warning says options.yaml was not updated');
});

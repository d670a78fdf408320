import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

t.test("options_path and output_dir naming the same folder leave the user's options.yaml as it was", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'qaic-yaml-same-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'out');
  mkdirSync(dir);
  const mine = '# my settings, with a comment\nset_size: 3   # three in flight\nmos: 1\n';
  writeFileSync(join(dir, 'options.yaml'), mine);
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { addOneModel } = await fixtures('models.js');
    report(await attempt(async () => {
      const session = new Session(addOneModel([1, 4]), { options_path: ${JSON.stringify(join(dir, 'options.yaml'))}, output_dir: ${JSON.stringify(dir)} });
      try { return { y: Array.from((await session.run({ x: new Float32Array(4) })).y.data), setSize: session.options.set_size }; } finally { await session.close(); }
    }));
  `));
  t.same(result, { ok: true, value: { y: [1, 1, 1, 1], setSize: 3 } }, 'the program compiled and ran with the file\'s options');
  t.equal(readFileSync(join(dir, 'options.yaml'), 'utf8'), mine, 'the file is byte for byte the user\'s');
});

import t from 'tap';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { tempDir } from '../program/helpers.js';

// Files the compiler writes beside the program (compile.json, options.yaml, the graph file) may already exist in
// output_dir as symbolic links to files elsewhere: they are replaced, never written through.
t.test('compiling into a folder whose compile.json, options.yaml and graph file are symlinks leaves their targets alone', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'out');
  mkdirSync(dir);
  const victims = ['compile.json', 'options.yaml', 'programqpc.main.onnx'].map((name) => {
    const victim = join(root, `victim-${name}`);
    writeFileSync(victim, `the user's ${name}\n`);
    symlinkSync(victim, join(dir, name));
    return { name, victim };
  });
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { addOneModel } = await fixtures('models.js');
    report(await attempt(async () => {
      const session = new Session(addOneModel([1, 4]), { output_dir: ${JSON.stringify(dir)} });
      try { return Array.from((await session.run({ x: new Float32Array(4) })).y.data); } finally { await session.close(); }
    }));
  `));
  t.same(result, { ok: true, value: [1, 1, 1, 1] }, 'compiled and ran');
  for (const { name, victim } of victims) {
    t.equal(readFileSync(victim, 'utf8'), `the user's ${name}\n`, `the target of ${name} is untouched`);
    t.ok(lstatSync(join(dir, name)).isFile(), `${name} is now a regular file in the folder`);
  }
});

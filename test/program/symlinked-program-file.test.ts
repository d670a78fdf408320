import t from 'tap';
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { matmulOnes, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

// The user names folder 'mine', whose programqpc.bin is a symbolic link into a folder they did not name: the library
// may write only into 'mine' (or a private folder of its own), never beside the link's target.
t.test('a programqpc.bin reached through a symlink makes nothing appear beside its target', async (t) => {
  const root = tempDir(t);
  const other = join(root, 'other');
  await writeMatmulProgram(other);
  // without its graph file, a library that writes beside the link's target would put one there
  rmSync(join(other, 'programqpc.main.onnx'));
  const before = readdirSync(other).sort();
  const mine = join(root, 'mine');
  mkdirSync(mine);
  symlinkSync(join(other, 'programqpc.bin'), join(mine, 'programqpc.bin'));
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    report(await attempt(async () => {
      const session = new Session(${JSON.stringify(mine)});
      try { return Array.from((await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data); } finally { await session.close(); }
    }));
  `));
  t.equal(result.ok, true, result.message);
  const want = matmulOnes();
  t.ok((result.value as number[]).every((v, i) => Math.abs(v - want[i]!) < 1e-4), 'the program runs');
  t.same(readdirSync(other).sort(), before, "nothing was written beside the link's target");
  t.same(readdirSync(mine), ['programqpc.bin'], 'nor beside the link');
});

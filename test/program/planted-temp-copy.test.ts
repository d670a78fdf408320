import t from 'tap';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { matmulOnes, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

// A program not named programqpc.bin is served from a copy in the temp folder. Another local user who can predict
// where that copy goes can plant a different (itself valid) program there first: the library must not use bytes it
// did not verify or write itself in a private folder.
t.test('a program copy planted in the temp folder is never used; the private copy is verified and mode 0700', async (t) => {
  const root = tempDir(t);
  const real = join(root, 'real');
  const planted = join(root, 'planted');
  await writeMatmulProgram(real, 3);
  await writeMatmulProgram(planted, 99);
  const renamed = join(root, 'mine.bin');
  copyFileSync(join(real, 'programqpc.bin'), renamed);
  // plant the other program where earlier versions put the copy (a name derived from the file's identity) and under
  // the shared folder's root, with its graph file beside it
  const st = statSync(renamed);
  const { readManifestSync } = await import('../../lib/program/open.js');
  const section = readManifestSync(renamed).manifest.sections.find((s) => s.kind === 'graph')!;
  const identity = `${renamed}\u0000${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}\u0000${section.sha256}`;
  const legacy = join(tmpdir(), 'qaic-programs', createHash('sha256').update(identity).digest('hex').slice(0, 24));
  mkdirSync(legacy, { recursive: true });
  t.teardown(() => rmSync(legacy, { recursive: true, force: true }));
  copyFileSync(join(planted, 'programqpc.bin'), join(legacy, 'programqpc.bin'));
  copyFileSync(join(planted, 'programqpc.main.onnx'), join(legacy, 'programqpc.main.onnx'));

  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { openProgram } = await lib('program/open.js');
    const { statSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    report(await attempt(async () => {
      const loadable = await (await openProgram(${JSON.stringify(renamed)})).loadable();
      const mode = statSync(dirname(loadable.modelPath)).mode & 0o777;
      const session = new Session(${JSON.stringify(renamed)});
      try {
        const y = Array.from((await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data);
        return { y, dir: dirname(loadable.modelPath), mode };
      } finally { await session.close(); }
    }));
  `));
  t.equal(result.ok, true, result.message);
  const want = matmulOnes(3);
  t.ok((result.value.y as number[]).every((v, i) => Math.abs(v - want[i]!) < 1e-4), 'the verified program\'s result, not the planted one\'s');
  t.not(result.value.dir, legacy, 'the graph file is not in the predictable folder');
  t.not(dirname(result.value.dir as string), join(tmpdir(), 'qaic-programs'), 'nor in the shared qaic-programs folder');
  t.equal(result.value.mode, 0o700, 'the private folder is readable and writable by its owner only');
});

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

// The model (graph) file must be a regular file: a link to /dev/zero grew RSS past 7.9 GB, a FIFO hung.
const kinds: Array<[string, (path: string) => void]> = [
  ['a symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p)],
  ['a FIFO', (p) => execFileSync('mkfifo', [p])],
];

for (const [what, make] of kinds) {
  t.test(`a model file that is ${what} is refused at once with QAIC_FILE_INVALID (compiling or not)`, async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'qaic-model-kind-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const path = join(root, 'model.onnx');
    make(path);
    const result = finished(t, await isolated(`
      const { Session } = await lib('session.js');
      const { compile } = await lib('compiler/compile.js');
      const session = async (options) => { const s = new Session(${JSON.stringify(path)}, options); try { await s.setup(); } finally { await s.close(); } };
      report({
        compile: await attempt(() => compile(${JSON.stringify(path)}, { output_dir: ${JSON.stringify(join(root, 'out'))} })),
        compiled: await attempt(() => session({ output_dir: ${JSON.stringify(join(root, 'out2'))} })),
        uncompiled: await attempt(() => session({ compile: false })),
      });
    `, { timeoutMs: 60_000 }));
    for (const key of ['compile', 'compiled', 'uncompiled'] as const) {
      t.equal(result[key].ok, false, `${key}: refused`);
      t.equal(result[key].code, 'QAIC_FILE_INVALID', `${key}: ${result[key].message}`);
    }
  });
}

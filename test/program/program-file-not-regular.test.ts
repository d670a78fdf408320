import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { tempDir } from './helpers.js';

// programqpc.bin must be a regular file: a FIFO would hang the open, a link to /dev/zero has no end.
const kinds: Array<[string, (path: string) => void]> = [
  ['a FIFO', (p) => execFileSync('mkfifo', [p])],
  ['a symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p)],
];

for (const [what, make] of kinds) {
  t.test(`a programqpc.bin that is ${what} is refused at once with a typed error`, async (t) => {
    const dir = join(tempDir(t), 'prog');
    mkdirSync(dir);
    make(join(dir, 'programqpc.bin'));
    const result = finished(t, await isolated(`
      const { Session } = await lib('session.js');
      const { openProgram } = await lib('program/open.js');
      report({
        session: await attempt(async () => { const s = new Session(${JSON.stringify(dir)}); await s.setup(); await s.close(); }),
        open: await attempt(() => openProgram(${JSON.stringify(dir)})),
      });
    `, { timeoutMs: 60_000 }));
    for (const key of ['session', 'open'] as const) {
      t.equal(result[key].ok, false, `${key}: refused`);
      t.equal(result[key].code, 'QAIC_FILE_INVALID', result[key].message);
    }
  });
}

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

// options_path: '/dev/zero' blocked the constructor at 2 GB; a FIFO hangs; a 1 GB file took 26 s before a wrong code.
t.test('an options file that is a device, a FIFO or too big is refused at once with QAIC_FILE_INVALID', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-options-kind-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  writeFileSync(join(dir, 'big.yaml'), `mos: ${'1'.repeat(2 * 1024 * 1024)}\n`);
  const result = finished(t, await isolated(`
    const { resolveOptions } = await lib('options.js');
    const out = {};
    for (const path of ['/dev/zero', ${JSON.stringify(join(dir, 'fifo.yaml'))}, ${JSON.stringify(join(dir, 'big.yaml'))}, ${JSON.stringify(dir)}]) {
      out[path] = await attempt(() => { resolveOptions({ options_path: path }); });
    }
    report(out);
  `, { timeoutMs: 60_000 }));
  for (const [path, outcome] of Object.entries(result as Record<string, { ok: boolean; code: string; message: string }>)) {
    t.equal(outcome.code, 'QAIC_FILE_INVALID', `${path}: ${outcome.message}`);
    t.match(outcome.message, 'options', `${path}: the message names the options file`);
  }
});

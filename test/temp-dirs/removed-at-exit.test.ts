import t from 'tap';
import { existsSync } from 'node:fs';
import { finished, isolated } from '../fixtures/isolated.js';

// Folders the library makes for itself (a process activation's spill folder, a private program copy) are removed when
// the process exits, through one exit listener that stays registered only while a folder is left.

t.test('folders left at exit are removed; one listener serves them all and goes when none is left', async (t) => {
  const outcome = await isolated(`
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { removeAtExit, removeOwnedDir } = await lib('temp-dirs.js');
    const { makeSpillDir } = await lib('runtime/spill.js');
    const before = process.listenerCount('exit');
    const a = mkdtempSync(join(tmpdir(), 'qaic-temp-dirs-test-'));
    const b = mkdtempSync(join(tmpdir(), 'qaic-temp-dirs-test-'));
    removeAtExit(a);
    removeAtExit(b);
    const withTwo = process.listenerCount('exit') - before;
    removeOwnedDir(a);
    removeOwnedDir(b);
    const withNone = process.listenerCount('exit') - before;
    const kept = mkdtempSync(join(tmpdir(), 'qaic-temp-dirs-test-'));
    removeAtExit(kept);
    const spill = makeSpillDir();
    report({ withTwo, withNone, aGone: !existsSync(a), bGone: !existsSync(b), kept, spill, withLeft: process.listenerCount('exit') - before });
  `, { timeoutMs: 60_000 });
  const r = finished(t, outcome);
  t.equal(r.withTwo, 1, 'one exit listener for two folders');
  t.ok(r.aGone && r.bGone, 'removeOwnedDir removes at once');
  t.equal(r.withNone, 0, 'no listener is left once every folder is removed');
  t.equal(r.withLeft, 1, 'a spill folder shares the listener of the other folders');
  t.equal(existsSync(r.kept), false, 'a folder left at exit is removed');
  t.equal(existsSync(r.spill), false, "a process activation's spill folder left at exit is removed");
});

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

// A damaged cache entry used to fail every later session with QAIC_PROGRAM_CORRUPT, forever. A cache recompiles it
// (and says so); the entry it writes is then a hit again.
const damages: Array<[string, string]> = [
  ['a flipped weight byte', `{ const b = readFileSync(bin); b[4096 + 7] ^= 0xff; writeFileSync(bin, b); }`],
  ['a truncated program', `{ const b = readFileSync(bin); writeFileSync(bin, b.subarray(0, b.length - 100)); }`],
  ['a compile.json that is not JSON', `writeFileSync(join(dir, 'compile.json'), '{ not json');`],
  // compile() hands the recorded report back and qaic-exec prints it: totals its subnets do not give are refused
  ['a compile.json whose placement report is unsound', `{
    const file = join(dir, 'compile.json');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    record.report.placement = { subnets: [], copies: [], totals: { gpu: { nodes: 5, subnets: 1, bytesIn: 0 } }, measuredWith: {} };
    writeFileSync(file, JSON.stringify(record));
  }`],
];

for (const [what, damage] of damages) {
  t.test(`a cache entry with ${what} is recompiled with a warning, then hit`, async (t) => {
    const cache = mkdtempSync(join(tmpdir(), 'qaic-cache-damaged-'));
    t.teardown(() => rmSync(cache, { recursive: true, force: true }));
    const result = finished(t, await isolated(`
      const { readFileSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { Session } = await lib('session.js');
      const { compile } = await lib('compiler/compile.js');
      const { slowModel } = await fixtures('models.js');
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.code));
      const modelPath = slowModel(2);
      const first = await compile(modelPath);
      const dir = first.programDir;
      const bin = join(dir, 'programqpc.bin');
      ${damage}
      const outcome = await attempt(async () => {
        const session = new Session(modelPath);
        try { return (await session.run({ x: new Float32Array(512 * 512).fill(1) })).y.data.length; } finally { await session.close(); }
      });
      const third = await compile(modelPath);
      await new Promise((r) => setImmediate(r));
      report({ outcome, sameDir: third.programDir === dir, thirdCached: third.cached, warnings });
    `, { env: { QAIC_CACHE_DIR: cache } }));
    t.same(result.outcome, { ok: true, value: 512 * 512 }, 'the session ran on a recompiled program');
    t.ok((result.warnings as string[]).includes('QAIC_CACHE_RECOMPILE'), 'the recompile was announced');
    t.equal(result.sameDir, true);
    t.equal(result.thirdCached, true, 'the rewritten entry is a cache hit');
  });
}

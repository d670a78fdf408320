/**
 * isolation: 'process' while compiling (issue 12): onnxruntime folds constants when it optimizes the graph, so a
 * model whose constants divide the smallest integer by -1 raises SIGFPE at compile time. In a child process that is
 * a typed QAIC_COMPILE_FAILED naming the signal, from compile() and from a session, and the host survives.
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

t.test('a constant fold that faults is a typed compile error naming SIGFPE', async (t) => {
  const result = finished(t, await isolated(`
    const { compile } = await lib('compiler/compile.js');
    const { Session } = await lib('session.js');
    const { foldingFaultModel } = await fixtures('fault-models.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'qaic-fold-'));
    const viaCompile = await attempt(() => compile(foldingFaultModel('int32', 'Div'), { isolation: 'process', output_dir: join(dir, 'a') }));
    const session = new Session(foldingFaultModel('int64', 'Mod'), { isolation: 'process', output_dir: join(dir, 'b') });
    const viaSession = await attempt(() => session.setup());
    await session.close();
    report({ viaCompile, viaSession });
  `, { timeoutMs: 120_000 }));
  for (const [name, outcome] of Object.entries(result) as Array<[string, any]>) {
    t.equal(outcome.ok, false, `${name}: refused`);
    t.equal(outcome.typed, true, `${name}: with a QaicError`);
    t.equal(outcome.code, 'QAIC_COMPILE_FAILED', `${name}: QAIC_COMPILE_FAILED`);
    t.match(outcome.message, /SIGFPE/, `${name}: naming the signal`);
  }
});

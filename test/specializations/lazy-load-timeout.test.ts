import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { finished, isolated } from '../fixtures/isolated.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

// An activation loads a graph after the first on its first use, inside onnxruntime on the activation's thread, where
// nothing can interrupt it. activation_timeout_ms bounds that load as it bounds start-up: a load that never returns
// (here onnxruntime opening a FIFO nobody writes to) fails that graph's runs with QAIC_TIMEOUT, the activation is
// replaced, and the session goes on serving the other graph. Run in a child with a time limit: without the bound,
// the run waits for ever.

for (const isolation of ['thread', 'process'] as const) {
  t.test(`a graph whose load on first use never returns fails its runs with QAIC_TIMEOUT (isolation '${isolation}')`, async (t) => {
    const program = (await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: join(tempDir(t), 'p') })).programDir;
    const graphFile = join(program, 'programqpc.6x4.onnx');
    const result = finished(t, await isolated(`
      const { execFileSync } = await import('node:child_process');
      const { closeSync, constants, openSync, rmSync } = await import('node:fs');
      const { Session } = await lib('session.js');
      const { until } = await fixtures('models.js');
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.code));
      const session = new Session(${JSON.stringify(program)}, { isolation: ${JSON.stringify(isolation)}, activation_timeout_ms: 15_000 });
      await session.setup();
      // the graph's file as its first run would prepare it, then a FIFO in its place: onnxruntime's open() blocks
      await session.graph.loadGraph(1);
      rmSync(${JSON.stringify(graphFile)});
      execFileSync('mkfifo', [${JSON.stringify(graphFile)}]);
      const portrait = () => ({ x: { data: new Float32Array(48), shape: [1, 2, 6, 4] } });
      const landscape = () => ({ x: { data: new Float32Array(48), shape: [1, 2, 4, 6] } });
      const out = {};
      const retired = session._pool.activations[0];
      out.hung = ${isolation === 'thread'
        ? 'await attempt(() => session.run(portrait()))'
        : "await attempt(() => session.runBenchmark({ graph: '6x4', num_inferences: 2, emitWarnings: false }))"};
      // tried again, it would cost another activation and another 15 s: it fails at once until reset()
      out.again = await attempt(() => session.run(portrait()));
      out.other = await attempt(async () => (await session.run(landscape())).y.shape);
      out.warnings = warnings;
      // let the thread's load return (an empty model, refused), so that it can exit; a killed child has no reader
      try { closeSync(openSync(${JSON.stringify(graphFile)}, constants.O_WRONLY | constants.O_NONBLOCK)); } catch {}
      await until(() => retired.threadId === -1, 30_000, 'the retired activation to exit');
      out.replaced = session._pool.activations[0] !== retired;
      await session.close();
      report(out);
    `, { timeoutMs: 150_000 }));
    t.equal(result.hung?.code, 'QAIC_TIMEOUT', result.hung?.message);
    t.match(result.hung?.message ?? '', /did not load graph 1 \('.*programqpc\.6x4\.onnx'\) on its first use within 15000 ms \(activation_timeout_ms\)/);
    t.equal(result.again?.code, 'QAIC_TIMEOUT', result.again?.message);
    t.match(result.again?.message ?? '', /graph 1 is not loaded again until reset\(\): its load on first use overran activation_timeout_ms before/);
    t.same(result.other?.value, [1, 8, 4, 6], `the other graph serves on a replacement activation (${result.other?.message ?? ''})`);
    t.equal(result.replaced, true, 'the activation stuck in the load was replaced');
    t.ok((result.warnings as string[] | undefined)?.includes('QAIC_ACTIVATION_REPLACED'), 'the replacement is announced');
  });
}

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';

// link() replaced the compiled program in a folder but left its compile.json: the record must not count as a hit for
// a program it does not describe (the linked program's first graph, x + 10, ran in place of x + 1).
t.test('a compile.json left beside a linked program is no cache hit: the model is recompiled, with a warning', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'qaic-cache-link-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    const { compile } = await lib('compiler/compile.js');
    const { link } = await lib('program/link.js');
    const { graph, initializer, model, node, tensorInfo } = await lib('onnx/builder.js');
    const { addOneModel, writeModel } = await fixtures('models.js');
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.code));
    const addOne = addOneModel([1, 4]);
    const addTen = writeModel(model(graph({
      nodes: [node('Add', ['x', 'ten'], ['y'])],
      inputs: [tensorInfo('x', 'float32', [1, 4])], outputs: [tensorInfo('y', 'float32', [1, 4])],
      initializers: [initializer('ten', 'float32', [], new Float32Array([10]))],
    })), 'add-ten');
    const folder = ${JSON.stringify(join(root, 'folder'))};
    await compile(addOne, { output_dir: folder });
    await compile(addTen, { output_dir: ${JSON.stringify(join(root, 'ten'))} });
    await link([${JSON.stringify(join(root, 'ten'))}, folder], { output_dir: folder, names: ['ten', 'one'] });
    const again = await compile(addOne, { output_dir: folder });
    const session = new Session(addOne, { output_dir: folder });
    const y = Array.from((await session.run({ x: { data: new Float32Array(4), shape: [1, 4] } })).y.data);
    await session.close();
    await new Promise((r) => setImmediate(r));
    report({ cached: again.cached, y, warnings });
  `));
  t.equal(result.cached, false, 'the model was compiled again');
  t.same(result.y, [1, 1, 1, 1], 'x + 1 ran, not the linked graph x + 10');
  t.ok((result.warnings as string[]).includes('QAIC_CACHE_RECOMPILE'), 'the recompile was announced');
});

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { finished, isolated } from '../fixtures/isolated.js';
import { tempDir } from '../program/helpers.js';

// A model's external data file is read whole when the compiler stores the weights in the program: a link to
// /dev/zero would be read without end, a FIFO would block.
const kinds: Array<[string, (path: string) => void]> = [
  ['a symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p)],
  ['a FIFO', (p) => execFileSync('mkfifo', [p])],
];

for (const [what, make] of kinds) {
  t.test(`an external data file that is ${what} is refused at once with QAIC_FILE_INVALID`, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'mm.onnx');
    make(join(dir, 'weights.bin'));
    writeFileSync(path, encodeModel(model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
      inputs: [tensorInfo('x', 'float32', [1, 3])],
      outputs: [tensorInfo('y', 'float32', [1, 2])],
      initializers: [{
        name: 'w', dims: [3, 2], data_type: 1, data_location: 1,
        external_data: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: '24' }],
      }],
    }))));
    const result = finished(t, await isolated(`
      const { compile } = await lib('compiler/compile.js');
      report(await attempt(() => compile(${JSON.stringify(path)}, { output_dir: ${JSON.stringify(join(dir, 'qpc'))} })));
    `, { timeoutMs: 60_000 }));
    t.equal(result.ok, false, 'refused');
    t.equal(result.code, 'QAIC_FILE_INVALID', result.message);
  });
}

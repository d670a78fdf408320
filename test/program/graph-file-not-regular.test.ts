import t from 'tap';
import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { matmulOnes, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

// The graph file beside the program (programqpc.main.onnx) is regenerated from the verified program when it is not
// what it should be: reading a link to /dev/zero must not grow without bound, and a FIFO must not hang.
const kinds: Array<[string, (path: string) => void]> = [
  ['a symlink to /dev/zero', (p) => symlinkSync('/dev/zero', p)],
  ['a FIFO', (p) => execFileSync('mkfifo', [p])],
  // the link's target has the very bytes of the graph, but onnxruntime would take the weights from beside it
  ['a symlink to the same graph of another program with other weights', (p) => symlinkSync(join(p, '..', '..', 'other', 'programqpc.main.onnx'), p)],
];

for (const [what, make] of kinds) {
  t.test(`a graph file that is ${what} is replaced and the program runs`, async (t) => {
    const root = tempDir(t);
    const dir = join(root, 'prog');
    await writeMatmulProgram(dir);
    await writeMatmulProgram(join(root, 'other'), 99);
    const graphFile = join(dir, 'programqpc.main.onnx');
    rmSync(graphFile);
    make(graphFile);
    const result = finished(t, await isolated(`
      const { Session } = await lib('session.js');
      report(await attempt(async () => {
        const session = new Session(${JSON.stringify(dir)});
        try { return Array.from((await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data); } finally { await session.close(); }
      }));
    `, { timeoutMs: 60_000 }));
    t.equal(result.ok, true, result.message);
    const want = matmulOnes();
    t.ok((result.value as number[] ?? []).every((v, i) => Math.abs(v - want[i]!) < 1e-4), 'the verified graph ran');
    t.ok(lstatSync(graphFile).isFile(), 'the graph file is a regular file again');
  });
}

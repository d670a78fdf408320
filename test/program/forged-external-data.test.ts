import t from 'tap';
import { join } from 'node:path';
import type { ModelProto } from '../../lib/onnx/schema.js';
import { finished, isolated } from '../fixtures/isolated.js';
import { matmulOnes, resealFile, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

/** Point initializer `name` of the graph at other external data. */
function repoint(name: string, entries: Record<string, string>): (graph: string, m: ModelProto) => void {
  return (_graph, m) => {
    const init = m.graph!.initializer!.find((i) => i.name === name)!;
    init.external_data = Object.entries(entries).map(([key, value]) => ({ key, value }));
  };
}

// Each forgery is re-sealed with valid checksums; a run would read bytes that are not the weight (NaN or garbage
// instead of an error), or a file outside the program.
const forgeries: Array<[string, (graph: string, m: ModelProto) => void]> = [
  ['the header (offset 0)', repoint('w', { location: 'programqpc.bin', offset: '0', length: '8192' })],
  ['past the end of the file', repoint('w', { location: 'programqpc.bin', offset: '4096000', length: '8192' })],
  ['another weight with a wrong length', repoint('w', { location: 'programqpc.bin', offset: '4096', length: '128' })],
  ['another file', repoint('w', { location: '../victim.bin', offset: '0', length: '8192' })],
  ['an absolute path', repoint('w', { location: '/etc/passwd', offset: '0', length: '8192' })],
  ['a subgraph initializer', (_g, m) => {
    const w = m.graph!.initializer!.find((i) => i.name === 'w')!;
    m.graph!.node!.push({ op_type: 'If', input: ['cond'], output: ['z'], attribute: [{ name: 'then_branch', type: 5, g: { name: 'b', initializer: [{ ...w, name: 'w2' }], output: [{ name: 'w2' }] } }] });
  }],
  ['a Constant attribute', (_g, m) => {
    const w = m.graph!.initializer!.find((i) => i.name === 'w')!;
    m.graph!.node!.push({ op_type: 'Constant', output: ['k'], attribute: [{ name: 'value', type: 4, t: { ...w, external_data: [{ key: 'location', value: 'programqpc.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: '8192' }] } }] });
  }],
];

for (const [what, edit] of forgeries) {
  t.test(`a re-sealed graph whose external data points at ${what} is refused with QAIC_PROGRAM_CORRUPT`, async (t) => {
    const dir = join(tempDir(t), 'prog');
    await writeMatmulProgram(dir);
    resealFile(dir, { graph: edit });
    const result = finished(t, await isolated(`
      const { Session } = await lib('session.js');
      report(await attempt(async () => {
        const session = new Session(${JSON.stringify(dir)});
        try { return Array.from((await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data); } finally { await session.close(); }
      }));
    `));
    t.equal(result.ok, false, `no result came back (got ${JSON.stringify(result.value)?.slice(0, 80)})`);
    t.equal(result.code, 'QAIC_PROGRAM_CORRUPT', result.message);
  });
}

t.test('the unforged program runs and gives the computed result', async (t) => {
  const dir = join(tempDir(t), 'prog');
  await writeMatmulProgram(dir);
  const result = finished(t, await isolated(`
    const { Session } = await lib('session.js');
    report(await attempt(async () => {
      const session = new Session(${JSON.stringify(dir)});
      try { return Array.from((await session.run({ x: { data: new Float32Array(64).fill(1), shape: [1, 64] } })).y.data); } finally { await session.close(); }
    }));
  `));
  t.equal(result.ok, true, result.message);
  const want = matmulOnes();
  t.ok((result.value as number[]).every((v, i) => Math.abs(v - want[i]!) < 1e-4), 'y = x·w + b');
});

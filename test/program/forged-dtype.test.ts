import t from 'tap';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { resealFile, writeMatmulProgram, runMatmulProgramScript } from './forge.js';
import { tempDir } from './helpers.js';

const forgeries: Array<[string, Record<string, unknown>]> = [
  ["dtype 'bogus'", { dtype: 'bogus' }],
  ['a dtype that disagrees with its ONNX type', { dtype: 'int64' }],
  ['a prototype key as dtype', { dtype: 'constructor' }],
];

for (const [what, patch] of forgeries) {
  t.test(`a re-sealed manifest whose input has ${what} is QAIC_PROGRAM_CORRUPT, not a TypeError`, async (t) => {
    const dir = join(tempDir(t), 'prog');
    await writeMatmulProgram(dir);
    resealFile(dir, { manifest: (m) => { Object.assign(m.graphs[0]!.inputs[0]!, patch); } });
    const result = finished(t, await isolated(runMatmulProgramScript(dir)));
    t.equal(result.ok, false);
    t.equal(result.typed, true, result.message);
    t.equal(result.code, 'QAIC_PROGRAM_CORRUPT', result.message);
  });
}

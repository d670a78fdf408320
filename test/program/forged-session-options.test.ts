import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished, isolated } from '../fixtures/isolated.js';
import { resealFile, writeMatmulProgram, runMatmulProgramScript } from './forge.js';
import { tempDir } from './helpers.js';

// A re-sealed program whose manifest hands onnxruntime paths to write to must be refused before onnxruntime sees
// them: the victim file stays as it was and nothing appears outside the program folder.
const forgeries: Array<[string, Record<string, unknown>]> = [
  ['optimizedModelFilePath', { optimizedModelFilePath: '<victim>' }],
  ['profileFilePrefix', { enableProfiling: true, profileFilePrefix: '<outside>/profile' }],
  ['a config entry off the allowlist', { extra: { session: { 'optimization.save_model_format': 'ORT' } } }],
  ['executionProviders', { executionProviders: ['cpu'] }],
  ['a bad optimization level', { graphOptimizationLevel: 'everything' }],
];

for (const [what, options] of forgeries) {
  t.test(`a re-sealed program that sets ${what} is refused with QAIC_PROGRAM_CORRUPT`, async (t) => {
    const root = tempDir(t);
    const dir = join(root, 'prog');
    const outside = join(root, 'outside');
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'the user data\n');
    await writeMatmulProgram(dir);
    const text = JSON.stringify(options).replaceAll('<victim>', victim).replaceAll('<outside>', outside);
    resealFile(dir, { manifest: (m) => { m.graphs[0]!.sessionOptions = JSON.parse(text) as Record<string, unknown>; } });
    const result = finished(t, await isolated(runMatmulProgramScript(dir)));
    t.equal(result.ok, false, 'the program did not run');
    t.equal(result.code, 'QAIC_PROGRAM_CORRUPT', result.message);
    t.match(result.message, /may not set|allowed/, 'the message says what the program may not set');
    t.equal(readFileSync(victim, 'utf8'), 'the user data\n', 'the victim file is untouched');
    t.same(readdirSync(root).sort(), ['prog', 'victim.txt'], 'nothing was written outside the program folder');
  });
}

t.test('the session options the compiler writes are accepted', async (t) => {
  const dir = join(tempDir(t), 'prog');
  await writeMatmulProgram(dir);
  resealFile(dir, { manifest: (m) => { m.graphs[0]!.sessionOptions = { graphOptimizationLevel: 'disabled', extra: { session: { disable_prepacking: '1' } } }; } });
  const result = finished(t, await isolated(runMatmulProgramScript(dir)));
  t.same(result, { ok: true, value: 32 });
});

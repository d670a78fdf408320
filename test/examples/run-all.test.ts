// Every example under examples/ runs as its own process (as a user would run it) and exits 0: each example checks
// its own result and exits non-zero when it is wrong.
import t from 'tap';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
// support.js is the examples' shared helper module, not an example.
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.js') && f !== 'support.js').sort();

t.ok(examples.includes('quickstart.js'), 'the quick start (npm run example) is among the examples');

for (const file of examples) {
  t.test(file, async (t) => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(...withoutTapHooks(process.execPath, [join(examplesDir, file)]), { cwd: join(examplesDir, '..', '..'), timeout: 180_000, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : null), stdout, stderr }));
    });
    t.equal(result.code, 0, `${file} exits 0${result.code === 0 ? '' : `\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`}`);
    t.notMatch(result.stdout, /CHECK FAILED/, 'no failed check');
    t.match(result.stdout, /^ok - /m, 'the example checked at least one result');
    t.notMatch(result.stderr, /QAIC_FIRST_INFERENCE|call setup\(\)/, 'no warning asks to call setup(): the example activates before its first run()');
  });
}

import t from 'tap';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';

// The type tests in test/types/cases are files that are only type-checked: every line under `// @ts-expect-error`
// must fail to compile (tsc reports an unused directive otherwise) and every other line must compile. They are left
// out of the main build and checked here, with the project's pinned TypeScript, in a child process.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // this file runs from dist/test/types
const CASES = join(ROOT, 'test', 'types', 'cases');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

t.test('the type tests compile exactly as they say: wrong options, writes to Session.options and unknown codes do not', async (t) => {
  const files = readdirSync(CASES).filter((f) => f.endsWith('.ts')).map((f) => resolve(CASES, f));
  t.ok(files.length >= 3, `found the type tests (${files.length})`);
  const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
    execFile(...withoutTapHooks(process.execPath, [TSC, '-p', join(CASES, 'tsconfig.json'), '--listFiles', '--pretty', 'false']),
      { cwd: ROOT, timeout: 200_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, output: `${stdout}${stderr}` });
      });
  });
  const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
  t.same(errors, [], 'tsc reports no error (an unused @ts-expect-error is one: that line compiled)');
  t.equal(code, 0, 'tsc exits 0');
  const listed = new Set(output.split('\n').map((line) => resolve(line.trim())));
  for (const file of files) t.ok(listed.has(file), `tsc checked ${file.slice(ROOT.length)}`);
});

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QAIC_ERROR_CODES, QaicError, deserializeError, serializeError, type QaicErrorCode } from '../../lib/errors.js';

// the one list of codes; this file runs from dist/test/runtime, the sources are in lib/ at the repository root
const CODES = Object.keys(QAIC_ERROR_CODES) as QaicErrorCode[];
const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The code literal in `text` with comments, comparisons and type unions taken out: what is left raises the code. */
function raisingUses(text: string, code: string): number {
  const code_ = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const literal = new RegExp(`(===|!==|\\|)?\\s*'${code}'(?!\\s*(===|!==|\\|))`, 'g');
  return [...code_.matchAll(literal)].filter((m) => m[1] === undefined).length;
}

t.test('every error code is documented with its meaning, in the table (its TSDoc is what the API docs show)', async (t) => {
  t.ok(CODES.length > 0);
  const source = readFileSync(join(LIB, 'errors.ts'), 'utf8');
  for (const code of CODES) {
    t.match(code, /^QAIC_[A-Z0-9_]+$/, `${code} is a QAIC_ code`);
    const doc = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${code}: true,`).exec(source);
    const text = doc?.[1]?.replace(/\s*\*\s*/g, ' ').trim() ?? '';
    t.ok(text.length >= 10, `${code} has a TSDoc meaning: '${text}'`);
  }
  t.ok(Object.isFrozen(QAIC_ERROR_CODES), 'the table cannot be changed at run time');
});

t.test('every error code is raised somewhere in lib/ (a code nothing raises is a promise the library does not keep)', async (t) => {
  const files = sourceFiles(LIB).filter((f) => relative(LIB, f) !== 'errors.ts');
  t.ok(files.length > 20, `found the library's sources (${files.length} files under ${LIB})`);
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  for (const code of CODES) {
    const uses = texts.reduce((n, text) => n + raisingUses(text, code), 0);
    t.ok(uses > 0, `${code} is raised in lib/ outside errors.ts`);
  }
});

t.test('the scan does not count comments, comparisons or type unions as raising a code', async (t) => {
  t.equal(raisingUses("// throws 'QAIC_X'\n/* 'QAIC_X' */ if (e.code === 'QAIC_X') {}\ntype C = 'QAIC_Y' | 'QAIC_X';", 'QAIC_X'), 0);
  t.equal(raisingUses("throw new QaicError('QAIC_X', 'm');\nthrow err(\n  'QAIC_X', 'm');", 'QAIC_X'), 2);
});

t.test('every error code survives the thread boundary as itself, with message and details', async (t) => {
  for (const code of CODES) {
    const back = deserializeError(serializeError(new QaicError(code, `m ${code}`, { details: { k: 1 } })), 'QAIC_RUN_FAILED');
    t.ok(back instanceof QaicError);
    t.equal(back.code, code, `${code} keeps its code`);
    t.equal(back.message, `m ${code}`);
    t.same(back.details, { k: 1 });
  }
});

t.test('an error with a code that is not a qaic code comes back as the fallback code, the original as its cause', async (t) => {
  const original = Object.assign(new Error('no such file'), { code: 'ENOENT' });
  const back = deserializeError(serializeError(original), 'QAIC_ACTIVATION_FAILED');
  t.equal(back.code, 'QAIC_ACTIVATION_FAILED');
  t.equal(back.message, 'no such file');
  t.equal((back.cause as { code?: string }).code, 'ENOENT');
  t.notOk(back.cause instanceof QaicError);
  const inherited = deserializeError({ name: 'Error', message: 'x', code: 'toString' }, 'QAIC_INTERNAL');
  t.equal(inherited.code, 'QAIC_INTERNAL', 'an inherited property name is no code');
});

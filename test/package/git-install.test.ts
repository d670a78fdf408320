// `npm install git+file://<checkout>#<commit>` gives a working package: npm clones the commit, installs its
// dependencies (dev ones included) offline from the cache, runs the `prepare` script that builds dist/lib and types/,
// packs what `files` lists and installs that. Without `prepare` the package had no dist/ at all.
//
// It installs the committed HEAD (uncommitted changes are not in a clone), offline (see consumer-project.ts for the
// lockfile), with ONNXRUNTIME_NODE_INSTALL=skip for both installs of onnxruntime-node. Slow: about two minutes on a
// loaded 2-core machine, nearly all of it npm installing the clone's 340 dev packages.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, npm, repoPackage, run, writeConsumer } from './consumer-project.js';

t.setTimeout(600_000);

const head = await run('git', ['rev-parse', 'HEAD'], REPO, 30_000).then((r) => r.stdout.trim(), () => undefined);

t.test('a git install runs prepare and yields an importable package with its declarations', {
  skip: head === undefined ? 'this checkout is not a git repository' : false,
}, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'qaic-git-install-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeConsumer(consumer, `git+${pathToFileURL(REPO).href}#${head!}`);

  // QAIC_NATIVE_BUILD=skip: the clone's install script would build the native engine with node-gyp (a minute of
  // C++ on a loaded 2-core machine); this test is about prepare and the package's layout, and CI's own npm ci
  // builds and tests the engine from this same checkout
  const installed = await npm(['ci', '--offline', '--no-audit', '--no-fund'], consumer, 540_000, { ONNXRUNTIME_NODE_INSTALL: 'skip', QAIC_NATIVE_BUILD: 'skip' });
  const pkg = join(consumer, 'node_modules', repoPackage().name);
  t.ok(existsSync(join(pkg, 'dist', 'lib', 'index.js')), 'prepare built dist/lib');
  t.ok(existsSync(join(pkg, 'types', 'index.d.ts')), 'prepare generated types/');

  const script = "import('qaic').then((q) => console.log(JSON.stringify([typeof q.Session, typeof q.compile, typeof q.QaicError])))";
  const imported = await run(process.execPath, ['-e', script], consumer, 60_000);
  t.same(JSON.parse(imported.stdout), ['function', 'function', 'function'], 'the installed package imports by name');
  t.comment(`npm ci from git: ${installed.ms} ms`);
});

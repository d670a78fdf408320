// The notebook (examples/qaic-tour.ipynb) opens as a newcomer opens it, from the repository, with nothing linked:
// under the tslab kernel its `import { Session } from 'qaic'` must resolve twice, once for tslab's type-checking
// (tslab's own TypeScript, Node10 module resolution from the notebook's folder: node_modules folders only, no
// package self-reference) and once at run time (tslab runs cells as CommonJS with a require() rooted in the
// notebook's folder). Running the notebook itself needs Jupyter: .ci/notebook.sh does that.
import t from 'tap';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TypeScript from 'typescript';

const root = process.cwd();
const examples = join(root, 'examples');

t.test("tslab's type-checking resolves 'qaic' to this package's declarations", async (t) => {
  const fromTslab = createRequire(createRequire(join(root, 'package.json')).resolve('tslab/package.json'));
  const ts = fromTslab('@tslab/typescript-for-tslab') as typeof TypeScript;
  // the options tslab's converter compiles cells with, as far as module resolution goes
  const options: TypeScript.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true };
  const resolved = ts.resolveModuleName('qaic', join(examples, '__tslab__.ts'), options, ts.sys).resolvedModule;
  if (!t.ok(resolved !== undefined, "'qaic' resolves (tslab says \"Cannot find module 'qaic'\" otherwise)")) return;
  const declarations = join(root, 'types', 'index.d.ts');
  t.ok(existsSync(declarations), 'the build has the declarations');
  t.equal(realpathSync(resolved!.resolvedFileName), realpathSync(declarations), "to this repository's types/index.d.ts");
});

t.test("tslab's run time resolves 'qaic' to this package's entry point", async (t) => {
  // tslab's executor: Module.createRequire(join(rootDir, 'src.js')) with rootDir the kernel's working folder
  const require = createRequire(join(examples, 'src.js'));
  t.equal(realpathSync(require.resolve('qaic')), realpathSync(join(root, 'dist', 'lib', 'index.js')));
});

t.test("tslab's type-checking resolves the notebook's helper import to declarations, not to JavaScript", async (t) => {
  // The notebook imports '../dist/examples/support.js'. Without declarations beside it, tslab's TypeScript takes the
  // .js file itself as a source outside its rootDir and fails the cell ("is not under 'rootDir'"), as CI once saw.
  const fromTslab = createRequire(createRequire(join(root, 'package.json')).resolve('tslab/package.json'));
  const ts = fromTslab('@tslab/typescript-for-tslab') as typeof TypeScript;
  const options: TypeScript.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, allowJs: false };
  const resolved = ts.resolveModuleName('../dist/examples/support.js', join(examples, '__tslab__.ts'), options, ts.sys).resolvedModule;
  t.ok(resolved !== undefined, 'the helper module resolves');
  t.match(resolved?.resolvedFileName ?? '', /support\.d\.ts$/, 'to its declaration file (the build emits declarations for examples/)');
});

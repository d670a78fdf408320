// The package as users get it: `npm pack` the checkout into a temp folder, install the tarball into a scratch
// consumer project offline (npm's cache only, ONNXRUNTIME_NODE_INSTALL=skip), then run an ES module and a CommonJS
// script that compile and run the PP-OCR direction classifier through the installed package (outputs compared with
// onnxruntime-node run directly on the same input), and type-check TypeScript consumers (ESM and CommonJS) against
// the installed declarations. Every step is a child process with a time limit.
// (Why the consumer has a lockfile: see consumer-project.ts.)
import t from 'tap';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CLS_MODEL } from '../fixtures/models.js';
import { REPO, npm, repoPackage, run, writeConsumer } from './consumer-project.js';

// npm ci of onnxruntime-node (a 288 MB package) dominates; on a loaded 2-core machine the whole file can take minutes.
t.setTimeout(600_000);

const fixtures = join(REPO, 'test', 'package', 'consumer');
const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** The classifier's input and its reference output from onnxruntime-node itself. */
async function reference(): Promise<{ input: Float32Array; outputs: Record<string, { dims: readonly number[]; data: Float32Array }> }> {
  const input = Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.37) * 0.8);
  const session = await ort.InferenceSession.create(CLS_MODEL);
  try {
    const result = await session.run({ x: new ort.Tensor('float32', input.slice(), [1, 3, 48, 192]) });
    const outputs: Record<string, { dims: readonly number[]; data: Float32Array }> = {};
    for (const [name, tensor] of Object.entries(result)) outputs[name] = { dims: tensor.dims, data: tensor.data as Float32Array };
    return { input, outputs };
  } finally {
    await session.release();
  }
}

t.test('the packed tarball installs offline and runs from ESM, CommonJS and TypeScript consumers', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'qaic-packed-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const timings: Record<string, number> = {};

  // 1. Pack what `files` ships, from the built checkout (npm test builds dist/lib and types/ first; --ignore-scripts
  //    skips the prepare rebuild that `npm pack` would otherwise run).
  // --ignore-scripts skips prepack too: run its native step (copy the engine built here into prebuilds/) by hand
  const nativeBuilt = existsSync(join(REPO, 'native', 'build', 'Release', 'qaic_engine.node'));
  await run(process.execPath, [join(REPO, 'scripts', 'native-prebuild.js')], REPO, 60_000);
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO, 120_000);
  timings['pack'] = packed.ms;
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const shipped = info.files.map((f) => f.path);
  const pkg = repoPackage();
  t.ok(shipped.includes('types/index.d.ts'), 'the tarball ships types/index.d.ts');
  t.ok(shipped.includes('dist/lib/index.js'), 'the tarball ships dist/lib/index.js');
  t.ok(shipped.includes('scripts/native-install.js'), 'the tarball ships its install script');
  if (nativeBuilt) t.ok(shipped.includes(`prebuilds/${process.platform}-${process.arch}/qaic_engine.node`), "the tarball ships this platform's native engine");
  t.notOk(shipped.some((p) => p.startsWith('dist/test/') || p.startsWith('lib/') || p.startsWith('test/')), 'no tests or TypeScript sources in the tarball');

  // 2. A scratch consumer project (lockfile included) with the TypeScript fixtures and the classifier model copied in.
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(join(work, info.filename))).digest('base64')}`;
  writeConsumer(consumer, `file:../${info.filename}`, { integrity, devDependencies: ['@types/node'] });
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(consumer, file));
  copyFileSync(CLS_MODEL, join(consumer, 'cls.onnx'));

  // 3. Install offline, as the README says: ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's install script
  //    from downloading CUDA files from NuGet (its own request, which npm's --offline does not stop and CI cannot
  //    make). onnxruntime-node computes the reference outputs meanwhile.
  const [installed, expected] = await Promise.all([
    npm(['ci', '--offline', '--no-audit', '--no-fund'], consumer, 420_000, { ONNXRUNTIME_NODE_INSTALL: 'skip' }),
    reference(),
  ]);
  timings['npm ci'] = installed.ms;
  const installedPkg = JSON.parse(readFileSync(join(consumer, 'node_modules', pkg.name, 'package.json'), 'utf8')) as { types?: string };
  t.equal(installedPkg.types, './types/index.d.ts', 'the installed package.json points types at types/');
  t.ok(existsSync(join(consumer, 'node_modules', pkg.name, 'types', 'index.d.ts')), 'the declarations are installed');
  for (const bin of Object.keys(pkg.bin ?? {})) {
    t.ok(existsSync(join(consumer, 'node_modules', '.bin', bin)), `the ${bin} command is linked into node_modules/.bin`);
  }

  // 4. Type-check ESM (.mts) and CommonJS (.cts) TypeScript against the installed declarations, library files
  //    included (skipLibCheck off), with this checkout's TypeScript; it runs while the scripts of step 5 run.
  //    TypeScript's own lib.*.d.ts are not checked (skipDefaultLibCheck): they do not change with this package,
  //    and checking them was half of tsc's time (14.1 -> 9.2 s CPU).
  const typeCheck = run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer, 240_000);
  typeCheck.catch(() => undefined);  // awaited below; this only keeps an early failure from being unhandled

  // 5. Run the classifier from an ES module and from a CommonJS script; compare with onnxruntime-node directly.
  writeFileSync(join(consumer, 'input.bin'), new Uint8Array(expected.input.buffer));
  const cacheDir = join(work, 'cache');
  for (const script of ['run-esm.mjs', 'run-cjs.cjs']) {
    const job = {
      model: join(consumer, 'cls.onnx'),
      outputDir: join(work, `program-${script}`),
      input: join(consumer, 'input.bin'),
      inputName: 'x',
      shape: [1, 3, 48, 192],
      symbols: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 },
    };
    const ran = await run(process.execPath, [script, JSON.stringify(job)], consumer, 120_000, { QAIC_CACHE_DIR: cacheDir });
    timings[script] = ran.ms;
    const printed = JSON.parse(ran.stdout) as { engine: string; pinning: boolean; outputs: Record<string, { shape: number[]; dtype: string; data: number[] }> };
    // the consumer has no devDependencies, so it could not build: the engine is the prebuilt one the tarball ships
    t.equal(printed.engine, nativeBuilt ? 'native' : 'worker', `${script}: runs on the ${nativeBuilt ? 'prebuilt native' : 'worker'} engine`);
    // pinning comes from the same addon, so the prebuilt one brings it too
    t.equal(printed.pinning, nativeBuilt, `${script}: pinning is ${nativeBuilt ? 'available (the prebuilt engine addon)' : 'off'}`);
    const got = printed.outputs;
    t.same(Object.keys(got), Object.keys(expected.outputs), `${script}: the model's output names`);
    for (const [name, want] of Object.entries(expected.outputs)) {
      const out = got[name]!;
      t.same(out.shape, [...want.dims], `${script}: ${name} shape`);
      t.equal(out.dtype, 'float32', `${script}: ${name} dtype`);
      const worst = Math.max(...out.data.map((v, i) => Math.abs(v - want.data[i]!)));
      t.ok(worst < 1e-4, `${script}: ${name} matches onnxruntime-node (max abs difference ${worst})`);
    }
  }

  const checked = await typeCheck;
  timings['tsc'] = checked.ms;
  t.equal(checked.stdout.trim(), '', 'tsc reports no errors');

  t.comment(`timings (ms): ${JSON.stringify(timings)}`);
});

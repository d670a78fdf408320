// `npm install` hook: give this machine the native engine (native/build/Release/qaic_engine.node), or explain why
// not. It never fails the install: without the native engine the package runs on its worker engine (slower dispatch,
// no cancellation of a run in flight) and warns once, QAIC_ENGINE_FALLBACK, saying why. The same addon pins the
// worker engine's threads under pin_cores, so without it pinning is off too (a warning says so).
//
// - A checkout (or a git install, which installs devDependencies) has the build inputs: node-addon-api and
//   onnxruntime's C API header from the pinned devDependency com.github.asus4.onnxruntime. It builds with node-gyp.
// - A package from the registry has no devDependencies, so it cannot build: it uses the binary the package ships for
//   its platform (prebuilds/<platform>-<arch>/, made by scripts/native-prebuild.js when the package was packed).
// - QAIC_NATIVE_BUILD=skip skips the build (the engine is then the prebuilt one, if any, else the worker engine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'qaic_engine.node');

function say(line) {
  console.log(`qaic: ${line}`);
}

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function fallback(why) {
  if (existsSync(prebuilt)) say(`${why}; the prebuilt native engine for ${process.platform}-${process.arch} will be used`);
  else say(`${why}; there is no prebuilt native engine for ${process.platform}-${process.arch}, so the worker engine will be used`);
}

if (process.env.QAIC_NATIVE_BUILD === 'skip') {
  fallback('native build skipped (QAIC_NATIVE_BUILD=skip)');
} else if (!resolvable('node-addon-api') || !resolvable('com.github.asus4.onnxruntime')) {
  fallback('no native build inputs here (node-addon-api and com.github.asus4.onnxruntime are devDependencies)');
} else {
  // npm puts its bundled node-gyp on PATH for lifecycle scripts; it builds against the Node headers npm is set to.
  const started = Date.now();
  const built = spawnSync('node-gyp', ['rebuild', '--jobs', 'max', '--directory', 'native'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', encoding: 'utf8' });
  if (built.status === 0) {
    say(`built the native engine with node-gyp (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else {
    const output = `${built.stdout ?? ''}${built.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    fallback(`the native build failed (${built.error?.message ?? `node-gyp exited with ${built.status ?? built.signal}`})`);
    if (output !== '') console.log(output);
  }
}

/**
 * The engine addon loads, takes onnxruntime-node's own libonnxruntime.so.1, and says which file and why when it is
 * handed something else. An onnxruntime older than the header (GetApi(29) returning null): older-onnxruntime.test.ts.
 */
import t from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nowNs } from '../../lib/runtime/clock.js';
import { nativeAddonCandidates, onnxRuntimeLibrary, type EngineAddon } from '../../lib/runtime/native-addon.js';
import { isolated, finished } from '../fixtures/isolated.js';
import { engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
const require = createRequire(import.meta.url);

t.test('EXPECTED FAILURE - init on a file that is not this machine\'s onnxruntime names the file and the reason', { skip }, async (t) => {
  // a fresh require of the addon file that loadNativeEngine() would load: init has not succeeded in this process yet
  const addon = require(nativeAddonCandidates().find((f) => existsSync(f))!) as EngineAddon;
  const missing = join(t.testdir(), 'libonnxruntime.so.1');
  t.throws(() => addon.init(missing), { message: new RegExp(`cannot load onnxruntime library '${missing}'.*No such file`) }, 'a missing file');
  const junk = join(t.testdir(), 'junk.so');
  writeFileSync(junk, 'not a shared object');
  t.throws(() => addon.init(junk), { message: new RegExp(`'${junk}'`) }, 'a file that is no library');
  const library = onnxRuntimeLibrary();
  const arm = 'file' in library ? library.file.replace('/x64/', '/arm64/') : '';
  if (process.arch === 'x64' && existsSync(arm)) {
    // the same package's build for another architecture (glibc alone would call it "No such file")
    const error = thrown(() => addon.init(arm));
    t.match(error?.message, `cannot load onnxruntime library '${arm}'`, 'onnxruntime for another architecture: names the file');
    t.match(error?.message, /built for another machine/, 'and says why');
  }
  // a real shared library that is not onnxruntime (it ships beside onnxruntime in the header's package)
  const shared = join(dirname(require.resolve('com.github.asus4.onnxruntime/package.json')), 'Plugins', 'Linux', 'x64', 'libonnxruntime_providers_shared.so');
  t.throws(() => addon.init(shared), { message: /is not an onnxruntime library: it exports no OrtGetApiBase/ }, 'a library without OrtGetApiBase');
});

t.test('the addon initialises on onnxruntime-node\'s library and reports its version and clock', { skip }, async (t) => {
  const addon = engineAddon();
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  const library = onnxRuntimeLibrary();
  t.ok('file' in library, 'onnxruntime-node ships libonnxruntime.so.1 here');
  if (!('file' in library)) return;
  t.same(addon.init(library.file), { ortVersion: version }, `init returns onnxruntime-node's version ${version}`);
  t.same(addon.init(library.file), { ortVersion: version }, 'init is idempotent for the same file');
  t.equal(addon.apiVersion, 29, 'built against the pinned header (ORT_API_VERSION 29)');
  const before = nowNs();
  const native = addon.nowNs();
  const after = nowNs();
  t.ok(before <= native && native <= after, 'nowNs() reads the clock of process.hrtime()');
  t.throws(() => addon.init(library.file.replace('/x64/', '/arm64/')), { message: /already loaded/ }, 'a second, different onnxruntime is refused');
});

t.test('EXPECTED FAILURE - loadNativeEngine() gives a reason naming a missing or broken addon file', async (t) => {
  const missing = join(t.testdir(), 'qaic_engine.node');
  const junk = join(t.testdir(), 'junk.node');
  writeFileSync(junk, 'not a shared object');
  const script = `
    const { loadNativeEngine } = await lib('runtime/native-addon.js');
    report(loadNativeEngine());
  `;
  const gone = finished(t, await isolated(script, { env: { QAIC_NATIVE_ADDON: missing }, timeoutMs: 30_000 }));
  t.match(gone.reason, `'${missing}'`, 'names the missing file');
  t.match(gone.reason, 'npm run build:native', 'and the fix');
  const broken = finished(t, await isolated(script, { env: { QAIC_NATIVE_ADDON: junk }, timeoutMs: 30_000 }));
  t.match(broken.reason, `the native engine addon '${junk}' could not be loaded`, 'names the broken file');
});

/**
 * An onnxruntime older than the addon's header (issue 13: "an older onnxruntime ... falling back to workers"). No
 * real older onnxruntime is at hand, so the test builds a stand-in with g++: a tiny shared library exporting
 * `OrtGetApiBase`, whose `GetApi(N)` returns null above 17 and whose `GetVersionString` says "1.17.0", which is all
 * an onnxruntime 1.17 shows the addon before it fails. `init()` on it must refuse, naming the file and the API
 * version; a Session whose native engine gets it must run on the worker engine and warn `QAIC_ENGINE_FALLBACK` with
 * that reason.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nativeAddonCandidates, onnxRuntimeLibrary, type EngineAddon } from '../../lib/runtime/native-addon.js';
import { finished, isolated } from '../fixtures/isolated.js';
import { nativeSkipReason } from '../fixtures/native-engine.js';
import { libUrl, moduleUrl, substitutePrelude } from '../fixtures/substitute.js';

/** The stand-in: the part of onnxruntime's C ABI the addon touches before GetApi (onnxruntime_c_api.h's OrtApiBase). */
const SOURCE = `
#include <cstdint>
struct OrtApi;
struct OrtApiBase {
  const OrtApi* (*GetApi)(uint32_t version);
  const char* (*GetVersionString)();
};
namespace {
char table;  // what GetApi(1..17) points at; the addon never asks for those
const OrtApi* GetApi(uint32_t version) { return version >= 1 && version <= 17 ? reinterpret_cast<const OrtApi*>(&table) : nullptr; }
const char* GetVersionString() { return "1.17.0"; }
const OrtApiBase base = {GetApi, GetVersionString};
}  // namespace
extern "C" __attribute__((visibility("default"))) const OrtApiBase* OrtGetApiBase() { return &base; }
`;

/**
 * Build the stand-in into `dir`. Its file name and missing SONAME keep it from being taken for onnxruntime-node's
 * libonnxruntime.so.1 when the worker engine's binding loads that one into the same process.
 */
function buildOldOnnxRuntime(dir: string): string {
  const source = join(dir, 'old-onnxruntime.cc');
  const file = join(dir, 'libold-onnxruntime-1.17.0.so');
  writeFileSync(source, SOURCE);
  const built = spawnSync('g++', ['-shared', '-fPIC', '-O1', '-o', file, source], { encoding: 'utf8', timeout: 60_000 });
  if (built.status !== 0) throw new Error(`g++ failed to build the stand-in onnxruntime: ${built.error?.message ?? built.stderr}`);
  return file;
}

const noCompiler = spawnSync('g++', ['--version']).error !== undefined ? 'g++ is not installed (node-gyp needs it too)' : undefined;
const skip = nativeSkipReason() ?? (process.platform !== 'linux' ? 'the native engine is Linux-only' : noCompiler ?? false);
const TOO_OLD = /onnxruntime 1\.17\.0 \('.*libold-onnxruntime-1\.17\.0\.so'\) is too old for API version 29 \(GetApi\(29\) returned null\)/;

t.test('EXPECTED FAILURE - init() on an onnxruntime older than the header names the file and the API version', { skip }, async (t) => {
  const old = buildOldOnnxRuntime(t.testdir());
  // this process has not initialised the addon: nothing else in this file does so in-process
  const addon = createRequire(import.meta.url)(nativeAddonCandidates().find((f) => existsSync(f))!) as EngineAddon;
  t.throws(() => addon.init(old), { message: TOO_OLD }, 'init refuses it, naming the file and why');
  t.throws(() => addon.init(old), { message: TOO_OLD }, 'and again: the refusal left nothing behind');
  const library = onnxRuntimeLibrary();
  if ('file' in library) t.match(addon.init(library.file), { ortVersion: /^\d+\.\d+/ }, 'onnxruntime-node\'s library still initialises after it');
});

t.test('a Session whose onnxruntime is too old runs on the worker engine and says why, pinning still on', { skip }, async (t) => {
  const old = buildOldOnnxRuntime(t.testdir());
  // the child's native engine loads the stand-in instead of onnxruntime-node's library; everything else is as shipped
  const addonModule = libUrl('runtime/native-addon.js');
  const standIn = moduleUrl(`
    import { loadNativeEngineOn } from ${JSON.stringify(`${addonModule}?original`)};
    export * from ${JSON.stringify(`${addonModule}?original`)};
    let cached;
    export function loadNativeEngine() { return cached ??= loadNativeEngineOn({ file: ${JSON.stringify(old)} }); }
  `);
  const result = finished(t, await isolated(substitutePrelude({ [addonModule]: standIn }) + `
    const { Session } = await lib('session.js');
    const { identityModel } = await fixtures('models.js');
    const warnings = [];
    process.on('warning', (w) => { if (w.code === 'QAIC_ENGINE_FALLBACK') warnings.push(w.message); });
    const runs = [];
    for (const options of [{ pin_cores: true }, { engine: 'native' }]) {
      const session = new Session(identityModel('float32'), { compile: false, ...options });
      const out = await session.run({ x: Float32Array.from([1, 2, 3, 4, 5, 6]) });
      runs.push({ engine: session.engine, y: Array.from(out.y.data), pinned: session._pool.activations[0].pinnedCpus ?? null });
      await session.close();
    }
    await new Promise((r) => setImmediate(r));
    report({ runs, warnings });
  `, { timeoutMs: 60_000, env: { QAIC_ENGINE: '' } }));
  t.same(result.runs.map((r: { engine: string }) => r.engine), ['worker', 'worker'], 'the default and an explicit native both run on the worker engine');
  t.same(result.runs.map((r: { y: number[] }) => r.y), [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]], 'and compute');
  t.ok(Array.isArray(result.runs[0].pinned) && result.runs[0].pinned.length === 1, 'pin_cores pins the worker: pinning needs the addon, not its onnxruntime');
  t.equal(result.warnings.length, 1, 'one QAIC_ENGINE_FALLBACK per process');
  t.match(result.warnings[0], /the native engine cannot be loaded \(/, 'saying the native engine cannot be loaded');
  t.match(result.warnings[0], TOO_OLD, 'with the reason: the file and the API version');
});

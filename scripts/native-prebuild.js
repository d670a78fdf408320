// `npm pack` hook (prepack): copy the native engine built here into prebuilds/<platform>-<arch>/, which the package
// ships, so a registry install (which has no devDependencies and so cannot build) still gets it, and with it pinning
// (pin_cores) on both engines. Nothing is copied when it was not built; the package then falls back to its worker
// engine where it is installed.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'native', 'build', 'Release', 'qaic_engine.node');
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`);

// only this platform's binary is replaced: one packed elsewhere earlier stays
rmSync(join(target, 'qaic_engine.node'), { force: true });
if (existsSync(built)) {
  mkdirSync(target, { recursive: true });
  copyFileSync(built, join(target, 'qaic_engine.node'));
  console.log(`qaic: packed the native engine for ${process.platform}-${process.arch}`);
} else {
  console.log(`qaic: no native engine built (native/build/Release/qaic_engine.node): the package will use its worker engine on ${process.platform}-${process.arch} unless a prebuilt one is there`);
}

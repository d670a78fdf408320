/**
 * A scratch consumer project for the package tests: child processes with time limits, and a package.json plus
 * lockfile that let `npm ci --offline` install qaic (from a tarball or a git URL) out of npm's cache.
 *
 * Installing offline needs a lockfile: without one npm must fetch each dependency's registry document to pick a
 * version, and no cache holds those after `npm ci`. The consumer's lockfile is cut from this checkout's
 * package-lock.json (the entries qaic's dependencies reach, with their integrity hashes) plus qaic's own entry: what a
 * consumer's lockfile holds after a first, online install.
 */
import { execFile } from 'node:child_process';
import { withoutTapHooks } from '../fixtures/clean-spawn.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A package-lock.json v3 `packages` entry (the fields these tests read or write). */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The fields of qaic's package.json these tests use. */
export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
  types?: string;
}

/** What a finished child process printed, and how long it ran (ms). */
export interface Ran {
  stdout: string;
  stderr: string;
  ms: number;
}

/** The checkout under test (tap runs test files from the repository root). */
export const REPO = process.cwd();

/** Run a command with a time limit; reject with its output when it fails or runs past the limit. */
export function run(file: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(...withoutTapHooks(file, args), {
      cwd,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(' ')} failed in ${cwd} (${error.message}):\n${stdout}\n${stderr}`));
      } else {
        resolve({ stdout, stderr, ms: Date.now() - started });
      }
    });
  });
}

/** npm itself: npm_execpath when an npm script started us (npm test), else the npm on PATH. */
export function npm(args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const cli = process.env['npm_execpath'];
  if (cli !== undefined && cli.endsWith('.js')) return run(process.execPath, [cli, ...args], cwd, timeoutMs, env);
  return run('npm', args, cwd, timeoutMs, env);
}

/** The lockfile entries the given dependencies reach (Node's lookup: nested node_modules first, then upwards). */
export function lockClosure(packages: Record<string, LockEntry>, roots: Record<string, string>): Record<string, LockEntry> {
  const picked: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean): void => {
    let dir = from;
    for (;;) {
      const path = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
      const entry = packages[path];
      if (entry !== undefined) {
        if (picked[path] !== undefined) return;
        const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...kept } = entry;
        picked[path] = kept;
        for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false);
        for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true);
        return;
      }
      if (dir === '') break;
      const up = dir.lastIndexOf('/node_modules/');
      dir = up < 0 ? '' : dir.slice(0, up);
    }
    if (!optional) throw new Error(`package-lock.json has no entry for ${name} (needed from '${from || 'the root'}')`);
  };
  for (const name of Object.keys(roots)) visit('', name, false);
  return picked;
}

/** This checkout's package.json. */
export function repoPackage(): PackageJson {
  return JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * Write package.json and package-lock.json of a consumer that depends on qaic through `spec` (a `file:` tarball or a
 * git URL; `integrity` for tarballs) and on `devDependencies` (names taken at the versions this checkout's lockfile
 * pins).
 */
export function writeConsumer(dir: string, spec: string, options: { integrity?: string; devDependencies?: string[] } = {}): void {
  const pkg = repoPackage();
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const devDependencies: Record<string, string> = {};
  for (const name of options.devDependencies ?? []) {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`package-lock.json pins no version of ${name}`);
    devDependencies[name] = version;
  }
  const dependencies = { [pkg.name]: spec };
  const packages: Record<string, LockEntry> = {
    '': { name: 'qaic-consumer', version: '1.0.0', dependencies, devDependencies },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      ...(options.integrity === undefined ? {} : { integrity: options.integrity }),
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
    ...lockClosure(lock.packages, pkg.dependencies ?? {}),
  };
  for (const [path, entry] of Object.entries(lockClosure(lock.packages, devDependencies))) {
    packages[path] ??= { ...entry, dev: true };
  }
  const manifest = { name: 'qaic-consumer', version: '1.0.0', private: true, dependencies, devDependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'qaic-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

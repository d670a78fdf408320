// qaic-compile (Qualcomm's newer name) is a second bin entry of qaic-exec; the tool names itself by the name it was
// called by, in help and in errors.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../program/helpers.js';

const EXEC = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-exec.js');

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('package.json installs qaic-compile as the same script as qaic-exec', async (t) => {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { bin: Record<string, string> };
  t.equal(pkg.bin['qaic-compile'], pkg.bin['qaic-exec']);
});

t.test('called as qaic-compile (an npm bin link), help and errors say qaic-compile', async (t) => {
  const link = join(tempDir(t), 'qaic-compile');
  symlinkSync(EXEC, link);
  const help = run(link, ['-h']);
  t.equal(help.status, 0, help.stderr);
  t.match(help.stdout, /^Usage: qaic-compile -m=<model\.onnx> \[options\]/);
  t.notMatch(help.stdout, /qaic-exec/);
  const bad = run(link, ['-m=x.onnx', '-aic-binary-dri=out']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^qaic-compile: error \[QAIC_CLI_USAGE\]: unknown flag '-aic-binary-dri'; did you mean '-aic-binary-dir'\? \(run 'qaic-compile -h' for usage\)/);
  const plain = run(EXEC, ['-h']);
  t.match(plain.stdout, /^Usage: qaic-exec /, 'under its own name it stays qaic-exec');
});

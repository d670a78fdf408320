import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(process.cwd());

t.test("require('qaic') from CommonJS, resolved by package name, exposes Session", async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'qaic'), 'dir');
  const script = "const q = require('qaic'); console.log(JSON.stringify({ session: typeof q.Session, error: typeof q.QaicError, isClass: /^class /.test(String(q.Session)) }));";
  const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  t.same(JSON.parse(out.trim().split('\n').pop()!), { session: 'function', error: 'function', isClass: true });
});

t.test('the compiled entry has no top-level await (require() of ESM needs a synchronous graph)', async (t) => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { main: string };
  const entry = readFileSync(join(repo, pkg.main), 'utf8');
  t.notMatch(entry, /^\s*await\s/m, 'no await at the top level of the entry');
});

t.test('a CommonJS one-liner can run a real model through the package', async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'qaic'), 'dir');
  const model = join(repo, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const script = `
    const { Session } = require('qaic');
    const s = new Session(${JSON.stringify(model)});
    s.run({ x: { data: new Float32Array(3 * 48 * 192).fill(0.5), shape: [1, 3, 48, 192] } })
      .then((out) => { const y = Object.values(out)[0]; console.log('shape', y.shape.join('x'), y.dtype); return s.close(); })
      .catch((e) => { console.error(e.code, e.message); process.exitCode = 1; });
  `;
  const out = execFileSync(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  t.match(out, /shape 1x2 float32/);
});

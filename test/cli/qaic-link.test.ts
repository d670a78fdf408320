import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { tempDir } from '../program/helpers.js';

const CLI = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-link.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function program(dir: string, rows: number): Promise<string> {
  const m = model(graph({
    nodes: [node('MatMul', ['x', 'w'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [rows, 32])],
    outputs: [tensorInfo('y', 'float32', [rows, 8])],
    initializers: [initializer('w', 'float32', [32, 8], new Float32Array(256).fill(0.5))],
  }));
  const io = modelIO(m);
  await writeProgram(dir, [{ name: 'main', model: m, inputs: io.inputs, outputs: io.outputs, batchSize: rows, sessionOptions: {}, hostFeatures: [] }], { sources: [], compileOptions: {} });
  return dir;
}

t.test('qaic-link links two programs and reports the sharing', async (t) => {
  const root = tempDir(t);
  const a = await program(join(root, 'wide'), 1);
  const b = await program(join(root, 'tall'), 4);
  const r = run(['-o=' + join(root, 'out'), a, join(b, 'programqpc.bin')]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /graphs: +wide, tall/);
  t.match(r.stdout, /1 stored .*1 shared by several graphs/);
  t.same((await openProgram(join(root, 'out'))).graphs.map((g) => g.name), ['wide', 'tall']);
  const named = run(['--output-dir', join(root, 'out2'), '-names=l,p', a, b]);
  t.equal(named.status, 0, named.stderr);
  t.match(named.stdout, /graphs: +l, p/);
});

t.test('qaic-link -h prints usage', async (t) => {
  const r = run(['-h']);
  t.equal(r.status, 0);
  t.match(r.stdout, /Usage: qaic-link -o <output_dir>/);
});

t.test('BAD CALL - qaic-link command line errors exit 2, unreadable programs exit 1', async (t) => {
  const root = tempDir(t);
  const a = await program(join(root, 'a'), 1);
  let r = run([a]);
  t.equal(r.status, 2);
  t.match(r.stderr, /^qaic-link: error \[QAIC_CLI_USAGE\]: missing -o <output_dir>/);
  r = run(['-o', join(root, 'x')]);
  t.equal(r.status, 2);
  t.match(r.stderr, /no programs given/);
  r = run(['-output=' + root, a]);
  t.equal(r.status, 2);
  t.match(r.stderr, /unknown flag '-output'; did you mean '-output-dir'\?/);
  r = run(['-o']);
  t.equal(r.status, 2);
  t.match(r.stderr, /-o needs a value, as in -o linked_qpc/);
  r = run(['-o', join(root, 'x'), '-names=one,two', a]);
  t.equal(r.status, 2);
  t.match(r.stderr, /2 name\(s\) but the programs hold 1 graph/);
  r = run(['-o', join(root, 'x'), join(root, 'missing')]);
  t.equal(r.status, 1);
  t.match(r.stderr, /\[QAIC_FILE_NOT_FOUND\].*missing/);
});

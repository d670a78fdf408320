import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeModel, encodeTensor, makeTensorProto } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { tempDir } from '../program/helpers.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-conformance.js');

async function exec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A case folder: y = Relu(x) at `opset`, with one data set whose expected output is `expected`. */
function writeCase(root: string, name: string, opset: number, expected: number[]): void {
  const dir = join(root, name);
  mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), encodeModel(model(graph({
    nodes: [node(opset < 6 ? 'Add' : 'Relu', opset < 6 ? ['x', 'x'] : ['x'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [4])], outputs: [tensorInfo('y', 'float32', [4])],
  }), { opset })));
  writeFileSync(join(dir, 'test_data_set_0', 'input_0.pb'), encodeTensor(makeTensorProto('x', 'float32', [4], new Float32Array([-1, 0, 1, 2]))));
  writeFileSync(join(dir, 'test_data_set_0', 'output_0.pb'), encodeTensor(makeTensorProto('y', 'float32', [4], new Float32Array(expected))));
}

t.test('passing cases and typed refusals exit 0; one line per case and a summary', async (t) => {
  const root = tempDir(t);
  writeCase(root, 'test_relu', 17, [0, 0, 1, 2.0005]);
  writeCase(root, 'test_old_add', 5, [-2, 0, 2, 4]);
  const json = join(root, 'out.json');
  const r = await exec([root, '--json', json]);
  t.equal(r.code, 0);
  t.match(r.stdout, /^PASS {2}test_relu .*1 data set/m);
  t.match(r.stdout, /^TYPED test_old_add .*QAIC_UNSUPPORTED_OPERATOR: .*Add at opset 5/m);
  t.match(r.stdout, /2 cases in .*: 1 passed, 1 failed with typed errors \(QAIC_UNSUPPORTED_OPERATOR 1\), 0 wrong answers, 0 untyped errors/);
  const saved = JSON.parse(readFileSync(json, 'utf8')) as { summary: { passed: number; typed: number; ok: boolean } };
  t.match(saved.summary, { passed: 1, typed: 1, ok: true });
});

t.test('a wrong answer beyond abs+rel 1e-3 exits 1 and says where', async (t) => {
  const root = tempDir(t);
  writeCase(root, 'test_relu_wrong', 17, [0, 0, 1, 2.01]);
  const r = await exec([root]);
  t.equal(r.code, 1);
  t.match(r.stdout, /^WRONG test_relu_wrong .*output 'y': value 3 is 2, expected 2\.0099/m);
});

t.test('BAD CALL - no folder is a usage error (exit 2)', async (t) => {
  const r = await exec(['--json']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^qaic-conformance: error \[QAIC_CLI_USAGE\]: --json needs a value, as in --json out\.json/);
});

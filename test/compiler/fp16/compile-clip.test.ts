import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { compileAccuracy } from '../../../lib/compiler/fp16/compile-accuracy.js';
import { parseExecArgs } from '../../../lib/cli/exec-args.js';
import { Session } from '../../../lib/session.js';
import { encodeModel } from '../../../lib/onnx/model.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';

// y = x * c, where c holds a value beyond float16's largest finite value (65504)
function overflowModel(dir: string): string {
  const path = join(dir, 'overflow.onnx');
  writeFileSync(path, encodeModel(model(graph({
    nodes: [node('Mul', ['x', 'c'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [4])],
    outputs: [tensorInfo('y', 'float32', [4])],
    initializers: [initializer('c', 'float32', [4], Float32Array.of(1, 70000, 0.5, 2))],
  }))));
  return path;
}

async function outputOf(programDir: string): Promise<Float32Array> {
  const session = new Session(programDir);
  try {
    const out = await session.run({ x: Float32Array.of(1, 1, 1, 1) });
    return out.y!.data as Float32Array;
  } finally {
    await session.close();
  }
}

t.test('fp16_clip clips constants to +-65504 through compile(); without it they become infinity', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-fp16-clip-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = overflowModel(dir);
  const plain = await compile(source, { output_dir: join(dir, 'plain'), convert_to_fp16: true });
  const clipped = await compile(source, { output_dir: join(dir, 'clipped'), convert_to_fp16: true, fp16_clip: true });
  t.equal(plain.report.fp16?.tensorIssues[0]?.overflow, 1, 'the overflow is counted');
  t.equal(plain.report.fp16?.tensorIssues[0]?.clipped, false);
  t.equal(clipped.report.fp16?.tensorIssues[0]?.clipped, true);
  t.not(plain.key, clipped.key, 'clipping is part of the compile key');
  t.same(Array.from(await outputOf(plain.programDir)), [1, Infinity, 0.5, 2]);
  t.same(Array.from(await outputOf(clipped.programDir)), [1, 65504, 0.5, 2]);
});

t.test('qaic-exec -fp16-clip sets the option; it is a known flag', async (t) => {
  const command = parseExecArgs(['-m=model.onnx', '-convert-to-fp16', '-fp16-clip']);
  t.equal(command.kind, 'compile');
  if (command.kind === 'compile') t.equal(command.options.fp16_clip, true);
});

t.test('the accuracy report qaic-exec prints measures the clipped model when fp16_clip is set', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-fp16-clip-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = overflowModel(dir);
  const plain = await compileAccuracy(source, { convert_to_fp16: true });
  const clipped = await compileAccuracy(source, { convert_to_fp16: true, fp16_clip: true });
  t.equal(plain.outputs[0]!.nonFinite, 1, 'without clipping, 70000 becomes infinity');
  t.equal(clipped.outputs[0]!.nonFinite, 0, 'with clipping, it stays finite (65504)');
  t.ok(clipped.outputs[0]!.maxAbsError > 0 && clipped.outputs[0]!.maxAbsError < 4496, `max abs error ${clipped.outputs[0]!.maxAbsError} is at most |x| * (70000 - 65504)`);
});

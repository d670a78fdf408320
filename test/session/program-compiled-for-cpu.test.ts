import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';

// A program compiled for the CPU, opened directly with a compute_unit that uses the GPU, runs (onnxruntime places
// what the GPU can take) but warns once that its graph was optimized for the CPU and how to get one for the GPU;
// a program compiled for those units does not warn. Needs the GPU: without one the units fall back to the CPU.
const skip = await skipWithoutGpu(t);

t.test("a CPU program opened with ['gpu', 'cpu'] warns QAIC_PROGRAM_COMPUTE_UNITS and runs; a GPU program does not warn", { skip }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'qaic-program-units-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const model = addOneModel([2, 4]);
  const cpuProgram = (await compile(model, { output_dir: join(root, 'cpu') })).programDir;
  const gpuProgram = (await compile(model, { output_dir: join(root, 'gpu'), compute_unit: ['gpu', 'cpu'] })).programDir;
  const warnings: Array<{ code?: string; message: string }> = [];
  const listen = (w: Error & { code?: string }): void => void warnings.push({ code: w.code, message: w.message });
  process.on('warning', listen);
  t.teardown(() => void process.off('warning', listen));
  const x = (): { data: Float32Array; shape: number[] } => ({ data: Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7), shape: [2, 4] });

  for (const [dir, warns] of [[cpuProgram, true], [gpuProgram, false]] as const) {
    const session = new Session(dir, { compute_unit: ['gpu', 'cpu'] });
    t.teardown(() => session.close());
    const before = warnings.length;
    t.same(Array.from((await session.run({ x: x() })).y!.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8], `${warns ? 'the CPU' : 'the GPU'} program runs`);
    await new Promise((r) => setImmediate(r));
    const ours = warnings.slice(before).filter((w) => w.code === 'QAIC_PROGRAM_COMPUTE_UNITS');
    if (warns) {
      t.equal(ours.length, 1, 'one warning');
      t.match(ours[0]?.message, /option 'compute_unit' \(gpu,cpu\) asks for more than the CPU, but the program in '.*cpu' was compiled for the CPU.*qaic-exec -compute-unit=gpu,cpu/);
      t.same(session.graph!.compiledFor, ['cpu']);
    } else {
      t.equal(ours.length, 0, 'no warning for a program compiled for these units');
      t.same(session.graph!.compiledFor, ['gpu', 'cpu']);
    }
    await session.close();
  }
});

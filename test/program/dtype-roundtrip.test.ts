import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import type { DType, TensorData } from '../../lib/dtypes.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { decodeModel, modelIO } from '../../lib/onnx/model.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';

const DTYPES: DType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];

/** 256 distinct values of a dtype (256 elements: every dtype's weight is at least 128 bytes, so it goes external). */
function values(dtype: DType): TensorData {
  const n = 256;
  const idx = Array.from({ length: n }, (_, i) => i);
  switch (dtype) {
    case 'float32': return Float32Array.from(idx, (i) => i * 0.5 - 7);
    case 'float64': return Float64Array.from(idx, (i) => i / 3);
    case 'float16': case 'uint16': return Uint16Array.from(idx, (i) => i * 17);
    case 'int8': return Int8Array.from(idx, (i) => i - 128);
    case 'uint8': return Uint8Array.from(idx, (i) => 255 - i);
    case 'bool': return Uint8Array.from(idx, (i) => i % 3 === 0 ? 1 : 0);
    case 'int16': return Int16Array.from(idx, (i) => i * -100);
    case 'int32': return Int32Array.from(idx, (i) => i * 1_000_003);
    case 'uint32': return Uint32Array.from(idx, (i) => 4_000_000_000 - i);
    case 'int64': return BigInt64Array.from(idx, (i) => BigInt(i) * -(2n ** 40n));
    case 'uint64': return BigUint64Array.from(idx, (i) => 2n ** 63n + BigInt(i));
    case 'string': return idx.map((i) => `s${i}-é`);
  }
}

function bytesOf(data: TensorData): number[] | string[] {
  if (Array.isArray(data)) return data;
  return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

for (const dtype of DTYPES) {
  t.test(`${dtype}: an Identity graph with a ${dtype} weight survives write, open and a Session run`, async (t) => {
    const w = values(dtype);
    const m = model(graph({
      nodes: [node('Identity', ['x'], ['y']), node('Identity', ['w'], ['w_out'])],
      inputs: [tensorInfo('x', dtype, [16, 16])],
      outputs: [tensorInfo('y', dtype, [16, 16]), tensorInfo('w_out', dtype, [16, 16])],
      initializers: [initializer('w', dtype, [16, 16], w)],
    }));
    const io = modelIO(m);
    const dir = t.testdir();
    const written = await writeProgram(dir, [{ name: 'main', model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] }], { sources: [], compileOptions: {} });
    // strings cannot be ONNX external data: they stay inline; every other dtype moves to the weight section
    t.equal(written.weightCount, dtype === 'string' ? 0 : 1, 'weights stored');

    const program = await openProgram(dir);
    t.same(program.graphs[0]!.inputs, io.inputs, 'manifest keeps the input specs');
    const loadable = await program.loadable();
    const stored = decodeModel(readFileSync(loadable.modelPath));
    const init = stored.graph!.initializer![0]!;
    if (dtype !== 'string') {
      t.equal(init.data_location, 1, 'the graph file refers to the weight as external data');
      t.same(init.external_data!.map((e) => e.key), ['location', 'offset', 'length']);
      t.equal(Number(init.external_data![1]!.value) % 64, 0, 'the weight is aligned');
    }
    t.equal(loadable.modelPath, join(dir, 'programqpc.main.onnx'));

    const x = values(dtype);
    const session = new Session(dir);
    t.teardown(() => session.close());
    const out = await session.run({ x: { data: x, shape: [16, 16] } });
    // the session transfers input buffers to the activation: compare with a fresh copy
    t.same(bytesOf(out.y!.data as TensorData), bytesOf(values(dtype)), 'input comes back bit for bit');
    t.same(bytesOf(out.w_out!.data as TensorData), bytesOf(w), 'the weight comes back bit for bit from the program');
  });
}

t.test('BAD CALL - writeProgram names the field it refuses', async (t) => {
  const dir = t.testdir();
  const m = model(graph({
    nodes: [node('Identity', ['w'], ['y'])],
    inputs: [],
    outputs: [tensorInfo('y', 'float32', [4])],
    initializers: [{ name: 'w', dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'weights.bin' }] }],
  }));
  const base = { name: 'main', model: m, inputs: [], outputs: [], batchSize: 1, sessionOptions: {}, hostFeatures: [] };
  const provenance = { sources: [], compileOptions: {} };
  await t.rejects(writeProgram(dir, [base], provenance), { code: 'QAIC_INVALID_ARGUMENT', message: /initializer 'w' keeps its data in an external file \(weights\.bin\)/ });
  await t.rejects(writeProgram(dir, [], provenance), { code: 'QAIC_INVALID_ARGUMENT', message: /non-empty array/ });
  await t.rejects(writeProgram(dir, [{ ...base, name: 'a/b' }], provenance), { code: 'QAIC_INVALID_ARGUMENT', message: /graphs\[0\]\.name/ });
  await t.rejects(writeProgram(dir, [{ ...base, name: 'x' }, { ...base, name: 'x' }], provenance), { code: 'QAIC_INVALID_ARGUMENT', message: /'x' is used twice/ });
  await t.rejects(writeProgram(dir, [{ ...base, batchSize: 0 }], provenance), { code: 'QAIC_INVALID_ARGUMENT', message: /batchSize must be a positive integer/ });
  await t.rejects(writeProgram(dir, [base], null as never), { code: 'QAIC_INVALID_ARGUMENT', message: /provenance/ });
});

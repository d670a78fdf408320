import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import type { DType, TensorData } from '../../lib/dtypes.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { decodeModel, modelIO } from '../../lib/onnx/model.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { tempDir } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];

/** 256 values of a dtype (256 elements: every dtype's weight is at least 128 bytes, so it goes external). */
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

/** The same values reversed: weights differ from inputs, so a mixed-up output cannot pass. */
function weightValues(dtype: DType): TensorData {
  const v = values(dtype);
  // every typed array has slice() and reverse(); the cast only satisfies the union's call signatures
  return Array.isArray(v) ? [...v].reverse() : (v as Uint8Array).slice().reverse() as unknown as TensorData;
}

function bytesOf(data: TensorData): number[] | string[] {
  if (Array.isArray(data)) return data;
  return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

// One graph carries every dtype (one activation instead of thirteen keeps the file fast on 2 cores): for each,
// y_<dtype> = Identity(x_<dtype>) and w_out_<dtype> = Identity(w_<dtype>), where w_<dtype> is a stored weight.
t.test('every dtype survives write, open and a Session run: inputs and stored weights come back bit for bit', async (t) => {
  const m = model(graph({
    nodes: DTYPES.flatMap((d) => [node('Identity', [`x_${d}`], [`y_${d}`]), node('Identity', [`w_${d}`], [`w_out_${d}`])]),
    inputs: DTYPES.map((d) => tensorInfo(`x_${d}`, d, [16, 16])),
    outputs: DTYPES.flatMap((d) => [tensorInfo(`y_${d}`, d, [16, 16]), tensorInfo(`w_out_${d}`, d, [16, 16])]),
    initializers: DTYPES.map((d) => initializer(`w_${d}`, d, [16, 16], weightValues(d))),
  }));
  const io = modelIO(m);
  const dir = tempDir(t);
  const written = await writeProgram(dir, [{ name: 'main', model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] }], { sources: [], compileOptions: {} });
  // strings cannot be ONNX external data: they stay inline; every other dtype moves to the weight section
  t.equal(written.weightCount, DTYPES.length - 1, 'one stored weight per dtype except string');

  const program = await openProgram(dir);
  t.same(program.graphs[0]!.inputs, io.inputs, 'manifest keeps the input specs');
  const loadable = await program.loadable();
  t.equal(loadable.modelPath, join(dir, 'programqpc.main.onnx'));
  const stored = decodeModel(readFileSync(loadable.modelPath));
  for (const init of stored.graph!.initializer!) {
    if (init.name === 'w_string') {
      t.equal(init.string_data?.length, 256, 'the string weight stays inline');
      continue;
    }
    t.equal(init.data_location, 1, `${init.name ?? ''}: the graph file refers to it as external data`);
    t.same(init.external_data!.map((e) => e.key), ['location', 'offset', 'length']);
    t.equal(Number(init.external_data![1]!.value) % 64, 0, `${init.name ?? ''}: aligned`);
  }

  const session = new Session(dir);
  t.teardown(() => session.close());
  const out = await session.run(Object.fromEntries(DTYPES.map((d) => [`x_${d}`, { data: values(d), shape: [16, 16] }])));
  for (const d of DTYPES) {
    // the session transfers input buffers to the activation: compare with a fresh copy
    t.same(bytesOf(out[`y_${d}`]!.data as TensorData), bytesOf(values(d)), `${d}: input comes back bit for bit`);
    t.same(bytesOf(out[`w_out_${d}`]!.data as TensorData), bytesOf(weightValues(d)), `${d}: the weight comes back bit for bit from the program`);
  }
});

t.test('BAD CALL - writeProgram names the field it refuses', async (t) => {
  const dir = tempDir(t);
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

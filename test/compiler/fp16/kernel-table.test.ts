import t from 'tap';
import ort from 'onnxruntime-node';
import { join } from 'node:path';
import { FP16_CPU_KERNELS, hasFp16Kernel } from '../../../lib/compiler/fp16/kernels.js';
import { graph, initializer, model, node, tensorInfo, type AttributeValue } from '../../../lib/onnx/builder.js';
import { encodeModel, readModelFile } from '../../../lib/onnx/model.js';
import type { TensorProto, ValueInfoProto } from '../../../lib/onnx/schema.js';
import { scratch } from './helpers.js';

// Each probe is a one-node model whose float inputs are float16. onnxruntime resolves kernels at load time; when an
// operator has no float16 CPU kernel, its InsertCastTransformer wraps it in Cast nodes, which show up in the graph
// it saves. So "no Cast in the saved graph" is the empirical proof of a float16 kernel.
type Input = { f16: number[] } | { i64: number[]; dims: number[] } | { bool: number[] } | { none: true };
const F = (...dims: number[]): Input => ({ f16: dims });
const I = (dims: number[], data: number[]): Input => ({ i64: data, dims });
const probes: Record<string, { inputs: Input[]; attrs?: Record<string, AttributeValue>; opset?: number; outputs?: number }> = {
  Identity: { inputs: [F(2, 3)] },
  Reshape: { inputs: [F(2, 3), I([1], [6])] },
  Flatten: { inputs: [F(2, 3)] },
  Squeeze: { inputs: [F(1, 3)] },
  Unsqueeze: { inputs: [F(3), I([1], [0])] },
  Transpose: { inputs: [F(2, 3)] },
  Concat: { inputs: [F(2, 3), F(2, 3)], attrs: { axis: { i: 0 } } },
  Split: { inputs: [F(2, 4)], attrs: { axis: { i: 1 }, num_outputs: { i: 2 } }, opset: 18, outputs: 2 },
  Slice: { inputs: [F(2, 3), I([1], [0]), I([1], [1])] },
  Gather: { inputs: [F(2, 3), I([1], [1])] },
  GatherElements: { inputs: [F(2, 3), I([2, 3], [0, 0, 0, 1, 1, 1])] },
  GatherND: { inputs: [F(2, 3), I([1, 1], [1])] },
  ScatterND: { inputs: [F(2, 3), I([1, 1], [1]), F(1, 3)] },
  ScatterElements: { inputs: [F(2, 3), I([1, 1], [0]), F(1, 1)] },
  Expand: { inputs: [F(1, 3), I([2], [2, 3])] },
  Compress: { inputs: [F(2, 3), { bool: [1, 0] }], attrs: { axis: { i: 0 } } },
  Clip: { inputs: [F(2, 3)] },
  Max: { inputs: [F(2, 3), F(2, 3)] },
  Min: { inputs: [F(2, 3), F(2, 3)] },
  Round: { inputs: [F(2, 3)] },
  Sign: { inputs: [F(2, 3)] },
  Mod: { inputs: [F(2, 3), F(2, 3)], attrs: { fmod: { i: 1 } } },
  Shrink: { inputs: [F(2, 3)] },
  LayerNormalization: { inputs: [F(2, 3), F(3), F(3)] },
  // Operators the table says have no float16 kernel: the probe must find casts around them.
  Conv: { inputs: [F(1, 2, 5, 5), F(3, 2, 3, 3)] },
  MatMul: { inputs: [F(2, 3), F(3, 4)] },
  Add: { inputs: [F(2, 3), F(2, 3)] },
  Relu: { inputs: [F(2, 3)] },
  Softmax: { inputs: [F(2, 3)] },
  Resize: { inputs: [F(1, 1, 2, 2), { none: true }, { f16: [] }], attrs: { mode: { s: 'nearest' } } },
};

async function castsAround(opType: string, dir: string): Promise<number> {
  const probe = probes[opType]!;
  const inputs: ValueInfoProto[] = [];
  const inits: TensorProto[] = [];
  const names: string[] = [];
  const feeds: Record<string, ort.Tensor> = {};
  probe.inputs.forEach((spec, k) => {
    const name = `in${k}`;
    if ('none' in spec) { names.push(''); return; }
    names.push(name);
    if ('f16' in spec && spec.f16.length === 0) {
      // Resize scales: float32, not data
      inits.push(initializer(name, 'float32', [4], Float32Array.from([1, 1, 2, 2])));
    } else if ('f16' in spec) {
      inputs.push(tensorInfo(name, 'float16', spec.f16));
      feeds[name] = new ort.Tensor('float16', new Uint16Array(spec.f16.reduce((a, b) => a * b, 1)).fill(0x3c00), spec.f16);
    } else if ('i64' in spec) {
      inits.push(initializer(name, 'int64', spec.dims, BigInt64Array.from(spec.i64.map(BigInt))));
    } else {
      inits.push(initializer(name, 'bool', [spec.bool.length], Uint8Array.from(spec.bool)));
    }
  });
  const outs = Array.from({ length: probe.outputs ?? 1 }, (_, k) => `out${k}`);
  const m = model(graph({ nodes: [node(opType, names, outs, probe.attrs ?? {})], inputs, outputs: outs.map((name) => ({ name })), initializers: inits }), { opset: probe.opset ?? 17 });
  const saved = join(dir, `${opType}.onnx`);
  const session = await ort.InferenceSession.create(encodeModel(m), { graphOptimizationLevel: 'disabled', optimizedModelFilePath: saved });
  await session.run(feeds);
  await session.release();
  return (readModelFile(saved).model.graph?.node ?? []).filter((n) => n.op_type === 'Cast').length;
}

t.test('every operator of the float16 kernel table runs in float16 on onnxruntime CPU', async (t) => {
  const dir = scratch(t);
  for (const op of Object.keys(FP16_CPU_KERNELS)) {
    t.ok(probes[op], `a probe exists for ${op}`);
    t.equal(await castsAround(op, dir), 0, `${op}: no casts inserted by onnxruntime`);
  }
});

t.test('operators outside the table are float32-only on onnxruntime CPU (so the pass must cast around them)', async (t) => {
  const dir = scratch(t);
  for (const op of ['Conv', 'MatMul', 'Add', 'Relu', 'Softmax', 'Resize']) {
    t.notOk(hasFp16Kernel(op, '', 17), `${op} is not in the table`);
    t.ok(await castsAround(op, dir) > 0, `${op}: onnxruntime inserts casts`);
  }
});

t.test('the table is opset-aware and domain-aware', async (t) => {
  t.notOk(hasFp16Kernel('Clip', '', 11), 'Clip-11 has no float16 kernel');
  t.ok(hasFp16Kernel('Clip', '', 13));
  t.notOk(hasFp16Kernel('Concat', 'com.microsoft', 17));
});

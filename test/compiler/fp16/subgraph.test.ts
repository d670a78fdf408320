import t from 'tap';
import { convertToFp16 } from '../../../lib/compiler/fp16/index.js';
import { graph, initializer, model, node, tensorInfo } from '../../../lib/onnx/builder.js';
import { ort, runModel } from './helpers.js';

// h = Reshape(x) runs in float16 (it has a float16 kernel), and both If branches read h from the outer graph.
// The pass keeps the If (and its branches) in float32 and hands it h in float32 under a new name.
function ifModel() {
  const thenBranch = graph({
    name: 'then',
    nodes: [node('Add', ['h', 'one'], ['t_out'])],
    inputs: [],
    outputs: [tensorInfo('t_out', 'float32', [6])],
  });
  const elseBranch = graph({
    name: 'else',
    nodes: [node('Neg', ['h'], ['e_out'])],
    inputs: [],
    outputs: [tensorInfo('e_out', 'float32', [6])],
  });
  return model(graph({
    nodes: [
      node('Reshape', ['x', 'flat'], ['h']),
      node('If', ['cond'], ['y'], { then_branch: { g: thenBranch }, else_branch: { g: elseBranch } }, { name: 'branch' }),
    ],
    inputs: [tensorInfo('x', 'float32', [2, 3]), tensorInfo('cond', 'bool', [])],
    outputs: [tensorInfo('y', 'float32', [6])],
    initializers: [
      initializer('flat', 'int64', [1], BigInt64Array.from([6n])),
      initializer('one', 'float32', [1], Float32Array.from([1])),
    ],
  }));
}

t.test('If branches stay float32 and read outer float16 values through a cast', async (t) => {
  const { model: converted, report } = convertToFp16(ifModel());
  t.same(report.float16Ops, { Reshape: 1 });
  t.same(report.keptNodes, [{ name: 'branch', opType: 'If', reason: 'subgraph' }]);
  const ifNode = converted.graph!.node!.find((n) => n.op_type === 'If')!;
  const thenAdd = ifNode.attribute!.find((a) => a.name === 'then_branch')!.g!.node![0]!;
  t.not(thenAdd.input![0], 'h', 'the branch reads the float32 version of h');
  t.equal(thenAdd.input![1], 'one', 'the branch reads the original float32 constant');
  const x = new ort.Tensor('float32', Float32Array.from([0.1, 2, 3, 4, 5, 65519]), [2, 3]);
  for (const cond of [true, false]) {
    const y = (await runModel(converted, { x, cond: new ort.Tensor('bool', Uint8Array.from([cond ? 1 : 0]), []) })).y!.data as Float32Array;
    // h went through float16 (Reshape computed in float16): 0.1 -> 0.0999755859375, 65519 -> 65504.
    const h = [0.0999755859375, 2, 3, 4, 5, 65504];
    t.same([...y], cond ? h.map((v) => Math.fround(v + 1)) : h.map((v) => -v), `cond=${cond}`);
  }
});

t.test('a Loop body reads an outer float16 value in float32; loop-carried values stay float32', async (t) => {
  const body = graph({
    name: 'body',
    nodes: [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['v_in', 'h'], ['v_out'])],
    inputs: [tensorInfo('iter', 'int64', []), tensorInfo('cond_in', 'bool', []), tensorInfo('v_in', 'float32', [6])],
    outputs: [tensorInfo('cond_out', 'bool', []), tensorInfo('v_out', 'float32', [6])],
  });
  const m = model(graph({
    nodes: [
      node('Reshape', ['x', 'flat'], ['h']),
      node('Loop', ['trips', '', 'v0'], ['v_final'], { body: { g: body } }, { name: 'loop' }),
    ],
    inputs: [tensorInfo('x', 'float32', [2, 3]), tensorInfo('v0', 'float32', [6])],
    outputs: [tensorInfo('v_final', 'float32', [6])],
    initializers: [
      initializer('flat', 'int64', [1], BigInt64Array.from([6n])),
      initializer('trips', 'int64', [], BigInt64Array.from([3n])),
    ],
  }));
  const { model: converted, report } = convertToFp16(m);
  t.same(report.keptNodes, [{ name: 'loop', opType: 'Loop', reason: 'subgraph' }]);
  const x = new ort.Tensor('float32', Float32Array.from([0.1, 1, 2, 3, 4, 5]), [2, 3]);
  const v0 = new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1, 1, 1]), [6]);
  const y = (await runModel(converted, { x, v0 })).v_final!.data as Float32Array;
  // h passed through float16 (0.1 -> 0.0999755859375); the three additions are float32.
  const h = [0.0999755859375, 1, 2, 3, 4, 5];
  t.same([...y], h.map((v) => Math.fround(Math.fround(Math.fround(1 + v) + v) + v)));
});

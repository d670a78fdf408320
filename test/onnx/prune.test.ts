import t from 'tap';
import { QaicError } from '../../lib/errors.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { pruneModel } from '../../lib/onnx/prune.js';
import type { GraphProto } from '../../lib/onnx/schema.js';

const f = (name: string): ReturnType<typeof tensorInfo> => tensorInfo(name, 'float32', [2]);

/** a = x + w1; b = If(c) { then: y + a, else: y } (reads a from the outer scope); d = z * w2. */
function sample(): ReturnType<typeof model> {
  const branch = (body: GraphProto['node'], out: string): GraphProto => graph({ nodes: body!, inputs: [], outputs: [f(out)] });
  return model(graph({
    nodes: [
      node('Add', ['x', 'w1'], ['a']),
      node('If', ['c'], ['b'], { then_branch: { g: branch([node('Add', ['y', 'a'], ['t'])], 't') }, else_branch: { g: branch([node('Identity', ['y'], ['e'])], 'e') } }),
      node('Mul', ['z', 'w2'], ['d']),
    ],
    inputs: [f('x'), f('y'), f('z'), tensorInfo('c', 'bool', []), f('w2')],
    outputs: [f('b'), f('d')],
    initializers: [initializer('w1', 'float32', [2], new Float32Array([1, 2])), initializer('w2', 'float32', [2], new Float32Array([3, 4]))],
    valueInfo: [f('a')],
  }));
}

t.test('keeps what the outputs need, through subgraphs, and drops the rest', async (t) => {
  const m = sample();
  const b = pruneModel(m, ['b']);
  t.same(b.model.graph!.node!.map((n) => n.op_type), ['Add', 'If'], 'the If and the Add its branch reads from outside');
  t.same(b.model.graph!.initializer!.map((i) => i.name), ['w1']);
  t.same(b.model.graph!.input!.map((i) => i.name), ['x', 'y', 'c'], 'z and w2 are no longer read');
  t.same(b.inputNames, ['x', 'y', 'c']);
  t.same(b.model.graph!.value_info!.map((v) => v.name), ['a']);
  t.equal(b.removedNodes, 1);
  t.equal(b.removedInitializers, 1);
  const d = pruneModel(m, ['d']);
  t.same(d.model.graph!.node!.map((n) => n.op_type), ['Mul']);
  t.same(d.model.graph!.input!.map((i) => i.name), ['z', 'w2'], 'an input with an initializer stays a graph input');
  t.same(d.inputNames, ['z'], 'but is not one to feed');
  t.same(d.model.graph!.value_info, [], 'value_info of removed values dropped');
  t.same(m.graph!.node!.length, 3, 'the original model is not modified');
  t.same(pruneModel(m, ['d', 'b']).model.graph!.output!.map((o) => o.name), ['d', 'b'], 'outputs in the order asked');
});

t.test('an unknown output or none is QAIC_INVALID_ARGUMENT', async (t) => {
  const thrown = (outputs: string[]): unknown => { try { pruneModel(sample(), outputs); return undefined; } catch (e) { return e; } };
  const unknown = thrown(['nope']) as QaicError;
  t.ok(unknown instanceof QaicError);
  t.equal(unknown.code, 'QAIC_INVALID_ARGUMENT');
  t.match(unknown.message, /'b', 'd'/, 'lists the outputs');
  t.equal((thrown([]) as QaicError).code, 'QAIC_INVALID_ARGUMENT');
});

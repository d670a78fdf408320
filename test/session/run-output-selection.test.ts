import t from 'tap';
import { Session } from '../../lib/session.js';
import { QaicError } from '../../lib/errors.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { writeModel } from '../fixtures/models.js';

/** Three outputs of x [2, 3]: sum = x + x, prod = x * x, flat = Reshape(x, [6]). */
function threeOutputModel(): string {
  return writeModel(model(graph({
    nodes: [node('Add', ['x', 'x'], ['sum']), node('Mul', ['x', 'x'], ['prod']), node('Reshape', ['x', 'six'], ['flat'])],
    inputs: [tensorInfo('x', 'float32', [2, 3])],
    outputs: [tensorInfo('sum', 'float32', [2, 3]), tensorInfo('prod', 'float32', [2, 3]), tensorInfo('flat', 'float32', [6])],
    initializers: [initializer('six', 'int64', [1], new BigInt64Array([6n]))],
  })), 'three-outputs');
}

const x = (): Float32Array => Float32Array.from([1, 2, 3, 4, 5, 6]);

t.test('run({outputs}) computes and returns only the named outputs (compiled program and plain model)', async (t) => {
  for (const compile of [true, false]) {
    const session = new Session(threeOutputModel(), { compile });
    t.teardown(() => session.close());
    const prod = await session.run({ x: x() }, { outputs: ['prod'] });
    t.same(Object.keys(prod), ['prod'], `compile ${compile}`);
    t.same([...(prod.prod!.data as Float32Array)], [1, 4, 9, 16, 25, 36]);
    const two = await session.run({ x: x() }, { outputs: ['flat', 'sum'] });
    t.same(Object.keys(two).sort(), ['flat', 'sum']);
    t.same([...(two.sum!.data as Float32Array)], [2, 4, 6, 8, 10, 12]);
    t.same(two.flat!.shape, [6]);
    const all = await session.run({ x: x() });
    t.same(Object.keys(all).sort(), ['flat', 'prod', 'sum'], 'without the option: every output');
    // the selections above ran the graph pruned to them (run-output-pruning.test.ts proves the rest is not computed)
    t.same(prod.prod!.data, all.prod!.data, 'a pruned run gives the full graph\'s values');
    t.same(two.flat!.data, all.flat!.data);
    t.same(two.sum!.data, all.sum!.data);
  }
});

t.test('bad output selections are QAIC_INVALID_ARGUMENT naming the option; the session stays usable', async (t) => {
  const session = new Session(threeOutputModel(), { compile: false });
  t.teardown(() => session.close());
  const unknown = await session.run({ x: x() }, { outputs: ['nope'] }).then(() => undefined, (e: unknown) => e) as QaicError;
  t.equal(unknown.code, 'QAIC_INVALID_ARGUMENT');
  t.match(unknown.message, /'outputs'/);
  t.match(unknown.message, /'nope'/);
  t.match(unknown.message, /'sum', 'prod', 'flat'/, 'lists the outputs');
  t.same(unknown.details.outputs, ['sum', 'prod', 'flat']);
  const cases: Record<string, unknown> = {
    empty: [],
    'not an array': 'sum',
    'a number inside': ['sum', 3],
    'an empty name': [''],
    duplicate: ['sum', 'sum'],
    'a throwing proxy': new Proxy(['sum'], { get() { throw new Error('trap'); } }),
  };
  for (const [name, outputs] of Object.entries(cases)) {
    const error = await session.run({ x: x() }, { outputs } as never).then(() => undefined, (e: unknown) => e) as QaicError;
    t.equal(error?.code, 'QAIC_INVALID_ARGUMENT', `${name}: ${error?.message}`);
    t.equal(error?.details.argument, 'outputs', `${name}: names the option`);
  }
  const ok = await session.run({ x: x() }, { outputs: ['prod'] });
  t.same(Object.keys(ok), ['prod'], 'still serves');
});

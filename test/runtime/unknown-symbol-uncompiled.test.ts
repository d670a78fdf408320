import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';

t.test('compile: false refuses an onnx_define_symbol name no input or output uses, naming the ones there are', async (t) => {
  const session = new Session(addOneModel(), { compile: false, onnx_define_symbol: { batch: 2 } });
  t.teardown(() => session.close());
  await t.rejects(session.setup(), { code: 'QAIC_UNKNOWN_SYMBOL', message: /onnx_define_symbol names 'batch', but '.*' has the symbols 'N' in its inputs and outputs \(compile: false\)/ });
});

t.test('compile: false with a symbol the model uses runs, with inputs checked against the defined size', async (t) => {
  const session = new Session(addOneModel(), { compile: false, onnx_define_symbol: { N: 2 } });
  t.teardown(() => session.close());
  const out = await session.run({ x: { data: new Float32Array(8), shape: [2, 4] } });
  t.same(out.y!.shape, [2, 4]);
  await t.rejects(session.run({ x: { data: new Float32Array(4), shape: [1, 4] } }), { code: 'QAIC_INPUT_SHAPE' });
});

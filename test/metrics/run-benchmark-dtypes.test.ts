import t from 'tap';
import { Session } from '../../lib/session.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { ALL_DTYPES, writeModel } from '../fixtures/models.js';

t.test('runBenchmark() makes random inputs for every dtype and runs them through onnxruntime', async (t) => {
  // one model with an Identity per dtype: a single session covers them all
  const path = writeModel(model(graph({
    nodes: ALL_DTYPES.map((d) => node('Identity', [`in_${d}`], [`out_${d}`])),
    inputs: ALL_DTYPES.map((d) => tensorInfo(`in_${d}`, d, [2, 3])),
    outputs: ALL_DTYPES.map((d) => tensorInfo(`out_${d}`, d, [2, 3])),
  })), 'every-dtype');
  const session = new Session(path, { aic_num_cores: 1 });
  t.teardown(() => session.close());
  t.same(Object.values(session.modelInputShapeDict).map(([, d]) => d), ALL_DTYPES, 'the model has one input per dtype');
  const [completed, rate, seconds, batch] = await session.runBenchmark({ num_inferences: 5, emitWarnings: false });
  t.equal(completed, 5);
  t.ok(rate > 0 && seconds > 0, 'a rate and a time');
  t.equal(batch, 2, 'the batch size is the first dimension');
});

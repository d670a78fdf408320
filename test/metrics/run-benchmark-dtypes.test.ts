import t from 'tap';
import { Session } from '../../lib/session.js';
import { ALL_DTYPES, identityModel } from '../fixtures/models.js';

t.test('runBenchmark() makes random inputs for every dtype and runs them through onnxruntime', async (t) => {
  for (const dtype of ALL_DTYPES) {
    const session = new Session(identityModel(dtype, [2, 3]), { aic_num_cores: 1 });
    try {
      const [completed, rate, seconds, batch] = await session.runBenchmark({ num_inferences: 5, emitWarnings: false });
      t.equal(completed, 5, `${dtype}: 5 inferences`);
      t.ok(rate > 0 && seconds > 0, `${dtype}: a rate and a time`);
      t.equal(batch, 2, `${dtype}: the batch size is the first dimension`);
    } finally {
      await session.close();
    }
  }
});

import t from 'tap';
import { Session } from '../../lib/session.js';
import { addOneModel } from '../fixtures/models.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';
import { captureLog } from './helpers.js';

// On the GPU an activation's first inference compiles shaders (seconds on a software device): it is kept out of the
// figures, as on the CPU, and the printout and the report say what it includes. A tiny model keeps the compile short.
const skip = await skipWithoutGpu(t);

t.test("on ['gpu', 'cpu'] printMetrics() and getMetricsReport() keep the first inference apart and say it compiled shaders", { skip }, async (t) => {
  const session = new Session(addOneModel([2, 4]), { compute_unit: ['gpu', 'cpu'], enable_metrics: true });
  t.teardown(() => session.close());
  for (let i = 0; i < 4; i++) await session.run({ x: { data: new Float32Array(8), shape: [2, 4] } });
  t.equal(session.getMetrics().num_of_inferences, 3, 'the first inference is not in the figures');
  const report = session.getMetricsReport();
  const first = report.firstInference[0]?.e2e;
  t.type(first, 'number', 'the first inference is reported apart');
  t.ok(report.warnings.some((w) => /^firstInference: the activations ran on the GPU, so each first inference includes compiling its shaders/.test(w)), 'the report says what it includes');
  const lines = await captureLog(() => session.printMetrics());
  t.match(lines[0], /^Number of inferences utilized for calculation are 3$/, 'the Python lines come first, unchanged');
  t.equal(lines.length, 12, 'then one note');
  t.equal(lines[11], `First inference on the GPU, kept out of the figures above (it includes compiling the GPU's shaders; see getMetricsReport().firstInference): activation 0 ${first} s`);
});

// A TypeScript consumer (ES module): type-checked with tsc against the installed package's declarations, never run.
import { Session, QaicError, isQaicError, type OutputTensor, type SessionOptions } from 'qaic';

const options: SessionOptions = { num_activations: 2, onnx_define_symbol: { batch: 1 }, enable_metrics: true };
const session = new Session('model.onnx', options);
const outputs: Record<string, OutputTensor> = await session.run({ x: new Float32Array(4) });
const shape: readonly number[] = outputs['y']!.shape;
const [completed, rate] = await session.runBenchmark({ num_inferences: 10 });
const p99: number = session.getMetrics().P99;
console.log(shape, completed.toFixed(0), rate.toFixed(1), p99);
try {
  await session.close();
} catch (error) {
  if (error instanceof QaicError) console.log(error.code);
  if (isQaicError(error)) console.log(error.details);
}
// @ts-expect-error Session._pool is @internal: the published declarations must not show it
void session._pool;

// A consumer's ES module: import the installed package by name, compile the model, run one inference and print the
// outputs as JSON, with the engine that ran and whether pin_cores could pin. argv[2] is the job the test wrote: { model, outputDir, input, shape, symbols }.
import { readFileSync } from 'node:fs';
import { Session, loadAffinity } from 'qaic';

const job = JSON.parse(process.argv[2]);
const input = new Float32Array(new Uint8Array(readFileSync(job.input)).buffer);
const session = new Session(job.model, { onnx_define_symbol: job.symbols, output_dir: job.outputDir });
try {
  const outputs = await session.run({ [job.inputName]: { data: input, shape: job.shape } });
  const printable = Object.entries(outputs).map(([name, o]) => [name, { shape: o.shape, dtype: o.dtype, data: Array.from(o.data) }]);
  process.stdout.write(JSON.stringify({ engine: session.engine, pinning: loadAffinity().available, outputs: Object.fromEntries(printable) }));
} finally {
  await session.close();
}

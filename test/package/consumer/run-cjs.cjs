// A consumer's CommonJS script: require() the installed (ESM) package by name, which Node 20.19+ allows for a module
// graph without top-level await; then the same job as run-esm.mjs: compile, run once, print the engine that ran,
// whether pin_cores could pin, and the outputs as JSON.
'use strict';
const { readFileSync } = require('node:fs');
const { Session, loadAffinity } = require('qaic');

async function main() {
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
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

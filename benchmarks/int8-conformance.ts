/**
 * The int8 pass over the ONNX backend conformance cases: `node dist/benchmarks/int8-conformance.js <folder>`.
 *
 * For every case whose float32 model reproduces its expected outputs on plain onnxruntime-node (as in
 * fp16-conformance.ts): calibrate it on its own test inputs (`calibrate()`, min/max ranges), run the int8 pass with
 * the compiler's defaults (Conv, MatMul and Gemm quantized, per-channel weights, the SDK's default schemas), load and
 * run the QDQ model on onnxruntime-node at optimization 'all' (where it fuses int8 kernels), and record whether it
 * runs (required: quantized where it can be, float where not), how many nodes were quantized or kept in float, and
 * how far the outputs are from the expected ones (reported, not required: int8 is not meant to pass 1e-3).
 * Saves `benchmarks/results/int8-conformance.json`.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ort from 'onnxruntime-node';
import { calibrate } from '../lib/compiler/quant/calibrate.js';
import { DEFAULT_INT8_OPERATORS } from '../lib/compiler/quant/compile-int8.js';
import { quantizeGraph } from '../lib/compiler/quant/qdq.js';
import { calibratedRange } from '../lib/compiler/quant/ranges.js';
import { compareOutput } from '../lib/compiler/fp16/accuracy.js';
import { findCases } from '../lib/conformance/run-cases.js';
import { encodeModel, modelIO, readModelFile } from '../lib/onnx/model.js';
import type { Inputs } from '../lib/tensor.js';
import { caseFolderEntry, machine, saveResult } from './lib/config.js';
import { first, float32Passes, readPbs, runAll } from './fp16-conformance.js';

export async function main(root: string): Promise<void> {
  const rows: Array<Record<string, unknown>> = [];
  const work = mkdtempSync(join(tmpdir(), 'qaic-int8-conformance-'));
  try {
    for (const caseDir of findCases(root)) {
      const name = relative(root, caseDir);
      const { model, bytes } = readModelFile(join(caseDir, 'model.onnx'));
      const io = modelIO(model);
      const inputNames = io.inputs.map((s) => s.name);
      const outputNames = io.outputs.map((s) => s.name);
      const fp32 = await float32Passes(bytes, caseDir, inputNames, outputNames);
      const row: Record<string, unknown> = { name, fp32Pass: fp32.pass };
      rows.push(row);
      if (!fp32.pass) {
        row['fp32Error'] = fp32.error;
        continue;
      }
      let quantized: Uint8Array | undefined;
      try {
        const file = join(work, `${rows.length}.onnx`);
        writeFileSync(file, bytes);
        const sets: Inputs[] = readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort().map((set) => {
          const inputs: Inputs = {};
          readPbs(join(caseDir, set), 'input_').forEach((p, k) => { inputs[p.name ?? inputNames[k]!] = { data: p.data, shape: p.dims }; });
          return inputs;
        });
        const profile = await calibrate(file, sets);
        const ranges = new Map([...profile.tensors.values()].filter((h) => h.min <= h.max).map((h) => [h.name, calibratedRange(h, 'None', {})]));
        const { model: q, report } = quantizeGraph(model, { ranges, channelwise: true, operators: DEFAULT_INT8_OPERATORS });
        quantized = encodeModel(q);
        row['quantizedNodes'] = Object.values(report.quantizedNodes).reduce((a, b) => a + b, 0);
        row['keptFloat'] = report.keptFloat.length;
      } catch (error) {
        row['int8Error'] = first(error);
      }
      if (quantized === undefined) continue;
      try {
        const r = await runAll(quantized, caseDir, inputNames, outputNames);
        row['int8Runs'] = true;
        let worst = 0;
        for (const { expected, actual } of r) {
          expected.forEach((e, k) => {
            const data = actual[k]!.data as ArrayLike<number | bigint>;
            if (e.dtype !== 'float32' && e.dtype !== 'float64') return;
            const c = compareOutput(e.name ?? outputNames[k]!, e.dims, Float64Array.from(e.data as Float32Array), Float64Array.from({ length: data.length }, (_, i) => Number(data[i])));
            worst = Math.max(worst, c.relativeL2Error);
          });
        }
        row['int8WorstRelativeL2'] = worst;
      } catch (error) {
        row['int8Runs'] = false;
        row['int8Error'] = first(error);
      }
      const status = row['int8Runs'] === true
        ? `int8 runs (${String(row['quantizedNodes'])} quantized), rel L2 ${(row['int8WorstRelativeL2'] as number).toExponential(2)}`
        : `INT8 FAILS: ${String(row['int8Error'])}`;
      console.log(`${name.padEnd(62)} ${status}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const passing = rows.filter((r) => r['fp32Pass']);
  const summary = {
    cases: rows.length,
    fp32Pass: passing.length,
    int8Runs: passing.filter((r) => r['int8Runs'] === true).length,
    int8Fails: passing.filter((r) => r['int8Runs'] !== true).map((r) => `${String(r['name'])}: ${String(r['int8Error'])}`),
    quantizedCases: passing.filter((r) => (r['quantizedNodes'] as number) > 0).map((r) => `${String(r['name'])}: ${String(r['quantizedNodes'])} nodes, rel L2 ${(r['int8WorstRelativeL2'] as number | undefined)?.toExponential(2)}`),
  };
  console.log(`\n${summary.cases} cases; float32 passes ${summary.fp32Pass}; of those, int8 runs ${summary.int8Runs}, fails ${summary.int8Fails.length}; quantized (Conv/MatMul/Gemm) in ${summary.quantizedCases.length}`);
  console.log(`saved ${saveResult('int8-conformance', { machine: machine(), onnxruntime: ort.env.versions.common, summary, cases: rows })}`);
}

await caseFolderEntry('int8-conformance', main);

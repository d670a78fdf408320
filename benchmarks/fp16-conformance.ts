/**
 * The float16 pass over the ONNX backend conformance cases: `node dist/benchmarks/fp16-conformance.js <folder>`.
 *
 * For each case (model.onnx + test_data_set_N): run the float32 model on plain onnxruntime-node and compare with the
 * expected outputs (atol = rtol = 1e-3, onnxruntime's own backend-test tolerance). For every case that passes,
 * convert it with `convertToFp16`, run the float16 model on the same inputs, and record whether it loads and runs
 * (required) and how far its outputs are from the expected ones (reported, not required). Prints one line per
 * case and the counts; saves `benchmarks/results/fp16-conformance.json`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ort from 'onnxruntime-node';
import { convertToFp16 } from '../lib/compiler/fp16/index.js';
import { compareOutput } from '../lib/compiler/fp16/accuracy.js';
import { compareTensor, findCases } from '../lib/conformance/run-cases.js';
import { decodeTensor, encodeModel, modelIO, readModelFile, tensorData } from '../lib/onnx/model.js';
import type { TensorData } from '../lib/dtypes.js';
import { caseFolderEntry, machine, saveResult } from './lib/config.js';

/** One tensor of a case's test data set. */
export interface Pb { name: string | undefined; dims: number[]; dtype: string; data: TensorData }

/** The `<prefix>N.pb` tensors of a test data set folder, in N order. */
export function readPbs(dir: string, prefix: string): Pb[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => {
      const proto = decodeTensor(readFileSync(join(dir, f)));
      const t = tensorData(proto);
      return { name: proto.name || undefined, dims: t.dims, dtype: t.dtype, data: t.data };
    });
}

/** Run `bytes` on plain onnxruntime-node over every test data set of the case. */
export async function runAll(bytes: Uint8Array, caseDir: string, inputNames: string[], outputNames: string[]) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const results: Array<{ set: string; expected: Pb[]; actual: ort.Tensor[] }> = [];
    for (const set of readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort()) {
      const inputs = readPbs(join(caseDir, set), 'input_');
      const expected = readPbs(join(caseDir, set), 'output_');
      const feeds: Record<string, ort.Tensor> = {};
      inputs.forEach((input, k) => { feeds[input.name ?? inputNames[k]!] = new ort.Tensor(input.dtype as 'float32', input.data as Float32Array, input.dims); });
      const out = await session.run(feeds);
      results.push({ set, expected, actual: expected.map((e, k) => out[e.name ?? outputNames[k]!]!) });
    }
    return results;
  } finally {
    await session.release();
  }
}

/** The first line of an error, shortened. */
export const first = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160);

/** Whether the float32 model reproduces the case's expected outputs (atol = rtol = 1e-3), and why not. */
export async function float32Passes(bytes: Uint8Array, caseDir: string, inputNames: string[], outputNames: string[]): Promise<{ pass: boolean; error?: string }> {
  try {
    const r = await runAll(bytes, caseDir, inputNames, outputNames);
    const pass = r.every(({ expected, actual }) => expected.every((e, k) => compareTensor({ data: actual[k]!.data as TensorData, shape: [...actual[k]!.dims] }, e, { atol: 1e-3, rtol: 1e-3 }) === undefined));
    return pass ? { pass } : { pass, error: 'float32 outputs differ from expected' };
  } catch (error) {
    return { pass: false, error: first(error) };
  }
}

export async function main(root: string): Promise<void> {
  const rows: Array<Record<string, unknown>> = [];
  const tol = { atol: 1e-3, rtol: 1e-3 };
  for (const caseDir of findCases(root)) {
    const name = relative(root, caseDir);
    const { model, bytes } = readModelFile(join(caseDir, 'model.onnx'));
    const io = modelIO(model);
    const inputNames = io.inputs.map((s) => s.name);
    const outputNames = io.outputs.map((s) => s.name);
    const { pass: fp32Pass, error: fp32Error } = await float32Passes(bytes, caseDir, inputNames, outputNames);
    const row: Record<string, unknown> = { name, fp32Pass };
    if (fp32Error !== undefined) row['fp32Error'] = fp32Error;
    let converted: Uint8Array | undefined;
    try {
      const { model: m, report } = convertToFp16(model);
      converted = encodeModel(m);
      row['fp16Ops'] = Object.values(report.float16Ops).reduce((a, b) => a + b, 0);
      row['kept'] = report.keptNodes.length;
    } catch (error) {
      row['convertError'] = first(error);
    }
    if (converted !== undefined && fp32Pass) {
      try {
        const r = await runAll(converted, caseDir, inputNames, outputNames);
        row['fp16Runs'] = true;
        let worst = 0;
        let within = true;
        for (const { expected, actual } of r) {
          expected.forEach((e, k) => {
            const a = actual[k]!;
            const data = a.data as ArrayLike<number | bigint>;
            if (e.dtype === 'float32' || e.dtype === 'float64') {
              const c = compareOutput(e.name ?? outputNames[k]!, e.dims, Float64Array.from(e.data as Float32Array), Float64Array.from({ length: data.length }, (_, i) => Number(data[i])));
              worst = Math.max(worst, c.relativeL2Error);
            }
            if (compareTensor({ data: a.data as TensorData, shape: [...a.dims] }, e, tol) !== undefined) within = false;
          });
        }
        row['fp16WorstRelativeL2'] = worst;
        row['fp16WithinTolerance'] = within;
      } catch (error) {
        row['fp16Runs'] = false;
        row['fp16Error'] = first(error);
      }
    }
    rows.push(row);
    const status = !fp32Pass ? `fp32 fails (${fp32Error})` : row['fp16Runs'] ? `fp16 runs, rel L2 ${(row['fp16WorstRelativeL2'] as number).toExponential(2)}${row['fp16WithinTolerance'] ? ', within 1e-3' : ''}` : `FP16 FAILS: ${String(row['fp16Error'] ?? row['convertError'])}`;
    console.log(`${name.padEnd(62)} ${status}`);
  }
  const passing = rows.filter((r) => r['fp32Pass']);
  const summary = {
    cases: rows.length,
    fp32Pass: passing.length,
    fp16Runs: passing.filter((r) => r['fp16Runs']).length,
    fp16Fails: passing.filter((r) => !r['fp16Runs']).map((r) => r['name']),
    fp16WithinTolerance: passing.filter((r) => r['fp16WithinTolerance']).length,
    fp16RelativeL2Over1e2: passing.filter((r) => (r['fp16WorstRelativeL2'] as number) > 1e-2).map((r) => `${String(r['name'])}: ${(r['fp16WorstRelativeL2'] as number).toExponential(2)}`),
    convertErrors: rows.filter((r) => r['convertError'] !== undefined).map((r) => `${String(r['name'])}: ${String(r['convertError'])}`),
  };
  console.log(`\n${summary.cases} cases; float32 passes ${summary.fp32Pass}; of those, float16 runs ${summary.fp16Runs}, fails ${summary.fp16Fails.length}; `
    + `float16 within 1e-3 of expected: ${summary.fp16WithinTolerance}; relative L2 > 1e-2: ${summary.fp16RelativeL2Over1e2.length}`);
  const file = saveResult('fp16-conformance', { machine: machine(), onnxruntime: ort.env.versions.common, summary, cases: rows });
  console.log(`saved ${file}`);
}

await caseFolderEntry('fp16-conformance', main);

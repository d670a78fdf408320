/**
 * Conformance: run folders of ONNX backend test cases (`model.onnx` plus `test_data_set_N/input_K.pb` and
 * `output_K.pb`, serialized TensorProtos) through the library's whole path (compile -> program -> Session ->
 * run) and compare with the expected outputs, with onnxruntime's backend-test tolerance (absolute + relative 1e-3
 * for floats, exact for everything else).
 *
 * A case passes, fails with a typed `QaicError` (acceptable: the library refused it readably), or fails badly: a
 * wrong answer, or an error that is not a QaicError.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isQaicError } from '../errors.js';
import type { TensorData } from '../dtypes.js';
import { decodeTensor, tensorData } from '../onnx/model.js';
import { Session } from '../session.js';
import { compile } from '../compiler/compile.js';

/** The outcome of one case. */
export interface CaseResult {
  /** the case folder, relative to the root given */
  name: string;
  status: 'pass' | 'typed-error' | 'mismatch' | 'crash';
  /** the QaicError code for `typed-error` */
  code?: string;
  /** the first line of the error, or what mismatched */
  message?: string;
  /** data sets compared */
  dataSets: number;
  ms: number;
}

/** Tolerances of the comparison. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Folders under `root` (itself included) that hold a `model.onnx`, sorted. */
export function findCases(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'model.onnx'))) {
      out.push(dir);
      return;
    }
    if (depth > 4) return;
    for (const name of readdirSync(dir).sort()) {
      const sub = join(dir, name);
      if (statSync(sub).isDirectory()) visit(sub, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

interface DataSet {
  name: string;
  inputs: Array<{ name: string | undefined; dims: number[]; data: TensorData }>;
  outputs: Array<{ name: string | undefined; dims: number[]; data: TensorData }>;
}

function readPbs(dir: string, prefix: string): DataSet['inputs'] {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
  return files.map((f) => {
    const proto = decodeTensor(readFileSync(join(dir, f)));
    const t = tensorData(proto);
    return { name: proto.name === undefined || proto.name === '' ? undefined : proto.name, dims: t.dims, data: t.data };
  });
}

function readDataSets(caseDir: string): DataSet[] {
  return readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort().map((d) => ({
    name: d,
    inputs: readPbs(join(caseDir, d), 'input_'),
    outputs: readPbs(join(caseDir, d), 'output_'),
  }));
}

/** Why `actual` differs from `expected`, or undefined when they agree within tolerance. */
export function compareTensor(actual: { data: TensorData; shape: number[] }, expected: { data: TensorData; dims: number[] }, tol: Tolerance): string | undefined {
  if (actual.shape.join(',') !== expected.dims.join(',')) return `shape [${actual.shape.join(', ')}], expected [${expected.dims.join(', ')}]`;
  const a = actual.data as ArrayLike<unknown>;
  const e = expected.data as ArrayLike<unknown>;
  if (a.length !== e.length) return `${a.length} values, expected ${e.length}`;
  const float = expected.data instanceof Float32Array || expected.data instanceof Float64Array;
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    if (float) {
      const xv = Number(x);
      const yv = Number(y);
      if (Number.isNaN(xv) && Number.isNaN(yv)) continue;
      if (xv === yv) continue;
      const diff = Math.abs(xv - yv);
      if (!(diff <= tol.atol + tol.rtol * Math.abs(yv))) {
        if (!(diff <= worst)) {
          worst = diff;
          worstAt = i;
        }
      }
    } else if (typeof y === 'bigint' || typeof x === 'bigint') {
      if (BigInt(x as bigint) !== BigInt(y as bigint)) return `value ${i} is ${String(x)}, expected ${String(y)}`;
    } else if (x !== y && Number(x) !== Number(y)) {
      return `value ${i} is ${String(x)}, expected ${String(y)}`;
    }
  }
  return worstAt < 0 ? undefined : `value ${worstAt} is ${String(a[worstAt])}, expected ${String(e[worstAt])} (|diff| ${worst.toExponential(2)} > ${tol.atol} + ${tol.rtol}·|expected|)`;
}

/** Run one case through compile -> program -> Session -> run. Never throws. */
export async function runCase(caseDir: string, root: string, tol: Tolerance): Promise<CaseResult> {
  const t0 = performance.now();
  const name = relative(root, caseDir) || caseDir;
  const work = mkdtempSync(join(tmpdir(), 'qaic-conformance-'));
  let session: Session | undefined;
  let dataSets = 0;
  try {
    const modelPath = join(caseDir, 'model.onnx');
    const sets = readDataSets(caseDir);
    const compiled = await compile(modelPath, { output_dir: join(work, 'program') });
    session = new Session(compiled.programPath, { num_activations: 1 });
    // activate before the first run(): otherwise every case prints the first-inference warning asking for setup()
    await session.setup();
    // the compile report holds the model's inputs and outputs in order: no need to read and decode the model again
    const io = compiled.report;
    for (const set of sets) {
      const feeds: Record<string, { data: TensorData; shape: number[] }> = {};
      set.inputs.forEach((input, k) => {
        const inputName = input.name ?? io.inputs[k]?.name ?? `input_${k}`;
        feeds[inputName] = { data: input.data, shape: input.dims };
      });
      const out = await session.run(feeds);
      for (const [k, expected] of set.outputs.entries()) {
        const outName = expected.name ?? io.outputs[k]?.name ?? '';
        const actual = out[outName];
        if (actual === undefined) return { name, status: 'mismatch', message: `${set.name}: output '${outName}' missing`, dataSets, ms: performance.now() - t0 };
        const problem = compareTensor(actual, expected, tol);
        if (problem !== undefined) return { name, status: 'mismatch', message: `${set.name}: output '${outName}': ${problem}`, dataSets, ms: performance.now() - t0 };
      }
      dataSets++;
    }
    return { name, status: 'pass', dataSets, ms: performance.now() - t0 };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    if (isQaicError(error)) return { name, status: 'typed-error', code: error.code, message, dataSets, ms: performance.now() - t0 };
    return { name, status: 'crash', message, dataSets, ms: performance.now() - t0 };
  } finally {
    await session?.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** One line per case, as the command prints it. */
export function formatCase(r: CaseResult): string {
  const tag = r.status === 'pass' ? 'PASS ' : r.status === 'typed-error' ? 'TYPED' : r.status === 'mismatch' ? 'WRONG' : 'CRASH';
  const what = r.status === 'pass' ? `${r.dataSets} data set(s)` : `${r.code === undefined ? '' : `${r.code}: `}${r.message ?? ''}`;
  return `${tag} ${r.name} (${r.ms.toFixed(0)} ms) ${what}`;
}

/** Summary counts. `ok` is true when every case passed or failed with a typed error. */
export function summarize(results: readonly CaseResult[]): { passed: number; typed: number; wrong: number; crashed: number; ok: boolean; codes: Record<string, number> } {
  const codes: Record<string, number> = {};
  for (const r of results) if (r.code !== undefined) codes[r.code] = (codes[r.code] ?? 0) + 1;
  const count = (s: CaseResult['status']): number => results.filter((r) => r.status === s).length;
  const wrong = count('mismatch');
  const crashed = count('crash');
  return { passed: count('pass'), typed: count('typed-error'), wrong, crashed, ok: wrong === 0 && crashed === 0, codes };
}

#!/usr/bin/env node
/**
 * `qaic-conformance <folder> [--json out.json] [--atol 1e-3] [--rtol 1e-3]`: check a folder of ONNX backend test
 * cases (model.onnx + test_data_set_N/{input,output}_K.pb) through compile -> program -> Session -> run.
 * Prints one line per case and a summary; exits 0 when every case passed or failed with a typed QaicError, 1 when
 * any gave a wrong answer or an untyped error, or when the folder holds no case, 2 for a bad command line.
 */
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { QaicError } from '../errors.js';
import { stopCompileWorker } from '../compiler/optimizer.js';
import { findCases, formatCase, runCase, summarize, type CaseResult } from '../conformance/run-cases.js';
import { formatHelp, parseFlags, usageError, wantsHelp, type ToolSpec } from './flags.js';
import { checkOutputFile } from './output-paths.js';
import { reportFailure, runIfMain, type CliIO } from './run-main.js';

/** The flag table, description and footer of `qaic-conformance`. */
export const CONFORMANCE_SPEC: ToolSpec = {
  tool: 'qaic-conformance',
  syntax: 'gnu',
  synopsis: '<folder> [--json <out.json>] [--atol <x>] [--rtol <x>]',
  description: `Runs every case folder under <folder> (model.onnx plus test_data_set_N/input_K.pb and output_K.pb) through
compile, program, Session and run, and compares with the expected outputs (floats within atol + rtol*|expected|;
other types exactly).`,
  positional: { meta: '<folder>', max: 1, help: 'folder of case folders (searched 4 levels deep)' },
  flags: [
    { key: 'json', names: ['--json'], kind: 'string', meta: '<out.json>', example: 'out.json', help: 'write every case and the summary as JSON (its folder must exist)' },
    { key: 'atol', names: ['--atol'], kind: 'number', min: 0, meta: '<x>', example: '1e-3', help: 'absolute tolerance (default 1e-3)' },
    { key: 'rtol', names: ['--rtol'], kind: 'number', min: 0, meta: '<x>', example: '1e-3', help: 'relative tolerance (default 1e-3)' },
    { key: 'help', names: ['-h', '--help'], kind: 'flag', help: 'this text' },
  ],
  footer: 'Exit codes: 0 every case passed or failed with a typed error, 1 a wrong answer, an untyped error or no case\nfound, 2 bad command line.',
};

/** Run `qaic-conformance` with `argv` (without `node` and the script); resolves with the exit code. */
export async function runConformance(argv: readonly string[], io: CliIO, tool = 'qaic-conformance'): Promise<number> {
  const context = { tool };
  if (wantsHelp(CONFORMANCE_SPEC, argv)) {
    io.out(`${formatHelp(CONFORMANCE_SPEC, tool)}\n`);
    return 0;
  }
  let root: string;
  let json: string | undefined;
  let atol: number;
  let rtol: number;
  let cases: string[];
  try {
    const { values, positionals } = parseFlags(CONFORMANCE_SPEC, argv, tool);
    if (positionals.length === 0) throw usageError(tool, 'no folder given: pass the folder of test cases', { argument: '<folder>' });
    root = resolve(positionals[0]!);
    let isFolder = false;
    try {
      isFolder = statSync(root).isDirectory();
    } catch {
      throw usageError(tool, `'${positionals[0]}' does not exist; pass the folder of test cases`, { argument: positionals[0] });
    }
    if (!isFolder) throw usageError(tool, `'${positionals[0]}' is not a folder; pass the folder of test cases`, { argument: positionals[0] });
    json = values.json as string | undefined;
    if (json !== undefined) checkOutputFile(tool, '--json', json);
    atol = (values.atol as number | undefined) ?? 1e-3;
    rtol = (values.rtol as number | undefined) ?? 1e-3;
    cases = findCases(root);
    if (cases.length === 0) {
      throw new QaicError('QAIC_FILE_NOT_FOUND', `no test case under '${root}': a case is a folder holding model.onnx and test_data_set_N/ folders (searched 4 levels deep)`, { details: { file: root } });
    }
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
  const results: CaseResult[] = [];
  const t0 = performance.now();
  for (const dir of cases) {
    const r = await runCase(dir, root, { atol, rtol });
    results.push(r);
    io.out(`${formatCase(r)}\n`);
  }
  await stopCompileWorker();
  const s = summarize(results);
  const seconds = (performance.now() - t0) / 1000;
  const codes = Object.entries(s.codes).map(([c, n]) => `${c} ${n}`).join(', ');
  io.out(`\n${results.length} cases in ${seconds.toFixed(1)} s: ${s.passed} passed, ${s.typed} failed with typed errors${codes === '' ? '' : ` (${codes})`}, ${s.wrong} wrong answers, ${s.crashed} untyped errors\n`);
  if (json !== undefined) {
    try {
      writeFileSync(json, `${JSON.stringify({ root, tolerance: { atol, rtol }, seconds, summary: s, results }, null, 1)}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return reportFailure(context, new QaicError('QAIC_FILE_INVALID', `--json '${json}' could not be written (${code})`, { cause: error, details: { file: json } }), io.err);
    }
    io.out(`Wrote ${json}\n`);
  }
  return s.ok ? 0 : 1;
}

runIfMain(import.meta.url, 'qaic-conformance', runConformance);

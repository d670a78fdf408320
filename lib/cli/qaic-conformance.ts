#!/usr/bin/env node
/**
 * `qaic-conformance <folder> [--json out.json] [--atol 1e-3] [--rtol 1e-3]`: check a folder of ONNX backend test
 * cases (model.onnx + test_data_set_N/{input,output}_K.pb) through compile -> program -> Session -> run.
 * Prints one line per case and a summary; exits 0 when every case passed or failed with a typed QaicError, 1 when
 * any gave a wrong answer or an untyped error, 2 for a bad command line.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopCompileWorker } from '../compiler/optimizer.js';
import { findCases, formatCase, runCase, summarize, type CaseResult } from '../conformance/run-cases.js';
import { runMain } from './run-main.js';

const USAGE = `Usage: qaic-conformance <folder> [--json <out.json>] [--atol <x>] [--rtol <x>]

Runs every case folder under <folder> (model.onnx plus test_data_set_N/input_K.pb and output_K.pb) through
compile, program, Session and run, and compares with the expected outputs (floats within atol + rtol*|expected|,
default 1e-3 each; other types exactly). Exit codes: 0 every case passed or failed with a typed error,
1 a wrong answer or an untyped error, 2 bad command line.`;

function parse(argv: readonly string[]): { root: string; json?: string; atol: number; rtol: number } | string {
  let root: string | undefined;
  let json: string | undefined;
  let atol = 1e-3;
  let rtol = 1e-3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return USAGE;
    if (arg === '--json' || arg === '--atol' || arg === '--rtol') {
      const value = argv[++i];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === '--json') json = value;
      else {
        const n = Number(value);
        if (!Number.isFinite(n) || n < 0) return `${arg} expects a non-negative number, got '${value}'`;
        if (arg === '--atol') atol = n;
        else rtol = n;
      }
    } else if (arg.startsWith('-')) {
      return `unknown flag '${arg}' (flags: --json, --atol, --rtol, -h)`;
    } else if (root === undefined) {
      root = arg;
    } else {
      return `one folder only, got '${root}' and '${arg}'`;
    }
  }
  if (root === undefined) return 'no folder given';
  if (!existsSync(root) || !statSync(root).isDirectory()) return `'${root}' is not a folder`;
  return { root: resolve(root), ...(json === undefined ? {} : { json }), atol, rtol };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (typeof args === 'string') {
    if (args === USAGE) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`qaic-conformance: ${args}\n${USAGE}\n`);
    return 2;
  }
  const cases = findCases(args.root);
  const results: CaseResult[] = [];
  const t0 = performance.now();
  for (const dir of cases) {
    const r = await runCase(dir, args.root, { atol: args.atol, rtol: args.rtol });
    results.push(r);
    process.stdout.write(`${formatCase(r)}\n`);
  }
  await stopCompileWorker();
  const s = summarize(results);
  const seconds = (performance.now() - t0) / 1000;
  const codes = Object.entries(s.codes).map(([c, n]) => `${c} ${n}`).join(', ');
  process.stdout.write(`\n${results.length} cases in ${seconds.toFixed(1)} s: ${s.passed} passed, ${s.typed} failed with typed errors${codes === '' ? '' : ` (${codes})`}, ${s.wrong} wrong answers, ${s.crashed} untyped errors\n`);
  if (args.json !== undefined) {
    writeFileSync(args.json, `${JSON.stringify({ root: args.root, tolerance: { atol: args.atol, rtol: args.rtol }, seconds, summary: s, results }, null, 1)}\n`);
  }
  return s.ok && results.length > 0 ? 0 : 1;
}

runMain('qaic-conformance', main);

#!/usr/bin/env node
/**
 * `qaic-runner`: benchmark a program (or an .onnx model, compiled first) from the command line, with the SDK's
 * flags (see `runner-args.ts`). Prints the SDK's stats line, then the latency table; a progress bar on a terminal;
 * `--json` writes the metrics document. Exits 0 when it ran, 1 when the program could not be loaded or run (or
 * an input file is unreadable or of the wrong size), 2 for a bad command line (including flag values the session
 * refuses: a device that does not exist, more cores than the machine has).
 */
import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Session } from '../session.js';
import type { SessionOptions } from '../options.js';
import type { BenchmarkProgress, BenchmarkResult } from '../metrics/benchmark.js';
import type { LatencySummary } from '../metrics/latency-store.js';
import type { TensorData } from '../dtypes.js';
import { parseRunnerArgs, runnerUsage, type RunnerArgs } from './runner-args.js';
import { readInputFiles } from './input-files.js';
import { renderRunReport } from '../report/run-report.js';
import { runConfigure } from './runner-configure.js';
import { reportFailure } from './run-main.js';
import { runLoadgenCommand } from '../loadgen/runner-command.js';

/** Where the command writes (tests pass their own). */
export interface RunnerIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** draw a progress bar (only on a terminal) */
  tty: boolean;
}

function ms(seconds: number): string {
  return (seconds * 1e3).toFixed(3);
}

/** The latency table printed after the stats line. */
export function formatLatencyTable(s: LatencySummary): string[] {
  const rows: Array<[string, number, string]> = [
    ['min', s.min, ''],
    ...Object.entries(s.percentiles).map(([k, f]) => [k, f.value, `${f.rank} sample(s) at or below${f.undersampled ? `; UNDERSAMPLED (needs ${f.minSamples})` : ''}`] as [string, number, string]),
    ['max', s.max, ''],
    ['mean', s.mean, ''],
    ['stdev', s.stdev, `CoV ${(s.cov * 100).toFixed(1)} %`],
  ];
  return [
    ` ---- Latency per inference (inside the activations, issue to completion; ms; ${s.count} samples) ----`,
    ...rows.map(([k, v, note]) => `${k.padEnd(6)} ${ms(v).padStart(12)}${note === '' ? '' : `  ${note}`}`),
    `percentiles: ${s.method}`,
  ];
}

/** The SDK's stats line: `InferenceCnt N TotalDuration Xus BatchSize B Inf/Sec R`. */
export function statsLine(r: BenchmarkResult): string {
  return `InferenceCnt ${r.inf_completed} TotalDuration ${Math.round(r.inf_time * 1e6)}us BatchSize ${r.batch_size} Inf/Sec ${r.inf_rate.toFixed(3)}`;
}

function progressBar(fraction: number, completed: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const width = 30;
  const done = Math.round(f * width);
  return `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(f * 100).toFixed(0).padStart(3)}% ${completed} inferences`;
}

function toBytes(data: TensorData): Uint8Array {
  if (Array.isArray(data)) return new TextEncoder().encode(data.join('\n'));
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Run the command; resolves with the exit code. */
export async function runRunner(argv: readonly string[], io: RunnerIO): Promise<number> {
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(argv);
  } catch (error) {
    io.err(`qaic-runner: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.help === true) {
    io.out(`${runnerUsage()}\n`);
    return 0;
  }
  if (args.configure !== undefined) return runConfigure(args, io);
  // --- LoadGen scenarios (lib/loadgen) ---
  if (args.scenario !== undefined || args.findPeak === true) return runLoadgenCommand(args, argv, io);
  // --- end LoadGen scenarios ---
  if (args.writeOutputDir !== undefined && !(existsSync(args.writeOutputDir) && statSync(args.writeOutputDir).isDirectory())) {
    io.err(`qaic-runner: --write-output-dir '${args.writeOutputDir}' is not an existing folder (as with the SDK, create it first)\n`);
    return 2;
  }
  const options: SessionOptions = { enable_metrics: true, num_activations: args.activations ?? 1, set_size: args.setSize ?? 10, dev_id: args.device ?? 0 };
  if (args.cores !== undefined) options.aic_num_cores = args.cores;
  if (args.symbols !== undefined) options.onnx_define_symbol = args.symbols;
  let session: Session | undefined;
  try {
    session = new Session(args.testData!, options);
    const t0 = performance.now();
    await session.setup();
    const graph = session.graph!;
    if (session.source.kind === 'onnx') io.out(`Compiled ${args.testData} into ${graph.programDir ?? '(not compiled)'}${graph.cached ? ' (cached program)' : ''}\n`);
    io.out(`Loaded ${graph.name} on ${options.num_activations} activation(s) in ${((performance.now() - t0) / 1000).toFixed(3)} s\n`);
    const shapes = session.modelInputShapeDict;
    let inputs;
    if (args.inputFiles !== undefined) {
      inputs = readInputFiles(args.inputFiles, shapes);
      for (const f of args.inputFiles) io.out(`Input file: ${f}\n`);
    } else {
      const open = Object.entries(shapes).flatMap(([name, [shape]]) => shape.filter((d) => typeof d !== 'number').map((d) => `${String(d)} (input '${name}')`));
      if (open.length > 0) {
        io.err(`qaic-runner: random inputs need fixed shapes, and these dimensions are symbolic: ${[...new Set(open)].join(', ')}; fix each with --onnx-define-symbol <name>,<size> (or compile the model with qaic-exec -onnx-define-symbol)\n`);
        return 2;
      }
      io.out('Using bounded random inputs\n');
    }
    let lastLive = { completed: 0, elapsed: 0 };
    // --report draws throughput over time from the progress snapshots.
    const progress: BenchmarkProgress[] = [];
    const wantProgress = io.tty || args.live === true || args.report !== undefined;
    const onProgress = (p: BenchmarkProgress): void => {
      if (args.report !== undefined) progress.push({ completed: p.completed, elapsed: p.elapsed });
      const fraction = args.time !== undefined ? p.elapsed / args.time : p.completed / (args.numIter ?? 40);
      if (io.tty) io.err(progressBar(fraction, p.completed));
      if (args.live === true) {
        const rate = (p.completed - lastLive.completed) / Math.max(1e-9, p.elapsed - lastLive.elapsed);
        io.out(`${io.tty ? '\n' : ''}Live: ${p.elapsed.toFixed(1)} s, ${p.completed} inferences, ${(rate * session!.batchSize).toFixed(3)} inf/s over the last period\n`);
        lastLive = p;
      }
    };
    const result = await session.runBenchmark({
      ...(args.time !== undefined ? { inf_time: args.time } : { num_inferences: args.numIter ?? 40 }),
      ...(inputs !== undefined ? { input_dict: inputs } : {}),
      ...(args.warmup !== undefined ? { warmup: args.warmup } : {}),
      emitWarnings: false,
      ...(wantProgress ? { onProgress, progressMs: args.live === true ? (args.livePeriod ?? 1000) : args.report !== undefined ? 100 : 250 } : {}),
    });
    if (io.tty) io.err(`${progressBar(1, result.inf_completed)}\n`);
    const d = result.details;
    io.out(`Warm-up: ${d.warmup.perActivation} inference(s) per activation in ${ms(d.warmup.seconds)} ms (excluded)\n`);
    io.out(' ---- Stats ----\n');
    io.out(`${statsLine(result)}\n`);
    // --- LoadGen scenarios: say what kind of figure the closed loop is ---
    io.out(`Closed loop: ${d.activations} activation(s) x ${d.depth} in flight; a concurrency result, not a latency-bounded throughput (see --scenario Server, --find-peak)\n`);
    // --- end LoadGen scenarios ---
    for (const line of formatLatencyTable(d.latency)) io.out(`${line}\n`);
    if (d.perActivation.length > 1) {
      for (const a of d.perActivation) io.out(`activation ${a.activation}: ${a.completed} inferences, P50 ${ms(a.latency.percentiles.P50.value)} ms, P99 ${ms(a.latency.percentiles.P99.value)} ms\n`);
    }
    for (const w of d.warnings) io.out(`WARNING: ${w}\n`);
    if (args.writeOutputDir !== undefined) {
      let activation = 0;
      const off = session.observe({ onRun: (t) => { activation = t.activation; } });
      const outputs = await session.run(inputs ?? (await import('../metrics/random-inputs.js')).randomInputs(shapes));
      off();
      for (const [name, t] of Object.entries(outputs)) {
        const file = join(args.writeOutputDir, `${name.replace(/[\\/]/g, '_')}-activation-${activation}-inf-0.bin`);
        writeFileSync(file, toBytes(t.data));
        io.out(`Writing file:${file}\n`);
      }
    }
    if (args.json !== undefined) {
      session.exportMetrics(args.json);
      io.out(`Wrote ${args.json}\n`);
    }
    if (args.report !== undefined) {
      writeFileSync(args.report, renderRunReport({
        title: `qaic-runner: ${args.testData!}`,
        command: `qaic-runner ${argv.join(' ')}`,
        metrics: session.exportMetrics(),
        benchmark: result,
        progress,
        inputs: shapes,
        outputs: session.modelOutputShapeDict,
      }));
      io.out(`Wrote ${args.report}\n`);
    }
    return 0;
  } catch (error) {
    if (io.tty) io.err('\n');
    // Options are built from flags only, so an invalid option or a core budget overrun is a command-line mistake.
    return reportFailure('qaic-runner', error, ['QAIC_CLI_USAGE', 'QAIC_INVALID_OPTION', 'QAIC_OVERSUBSCRIBED'], io.err);
  } finally {
    await session?.close();
  }
}

// Run only when executed, not when imported (tests import runRunner).
// npm's bin entry is a symlink: compare real paths.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await runRunner(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty: process.stderr.isTTY === true,
  });
}

#!/usr/bin/env node
/**
 * `qaic-runner`: benchmark a program (or an .onnx model, compiled first) from the command line, with the SDK's
 * flags (see `runner-args.ts`). Prints the SDK's stats line, then the latency table; a progress bar on a terminal;
 * `--json` writes the metrics document. Exits 0 when it ran, 1 when the program could not be loaded or run (or
 * an input file is unreadable or of the wrong size), 2 for a bad command line (including flag values the session
 * refuses: a device that does not exist, more cores than the machine has).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../session.js';
import type { SessionOptions } from '../options.js';
import type { BenchmarkProgress, BenchmarkResult } from '../metrics/benchmark.js';
import type { LatencySummary } from '../metrics/latency-store.js';
import type { TensorData } from '../dtypes.js';
import type { InputTensor } from '../tensor.js';
import { formatOperatorTable, type OperatorRow } from '../profiling/ort-profile.js';
import { formatPlacement } from '../runtime/placement.js';
import { isolationOptions, parseRunnerArgs, runnerUsage, RUNNER_SPEC, type RunnerArgs } from './runner-args.js';
import { readInputFiles } from './input-files.js';
import { renderRunReport } from '../report/run-report.js';
import { runConfigure } from './runner-configure.js';
import { optionFlags, usageError } from './flags.js';
import { checkExistingFolder, checkOutputFile } from './output-paths.js';
import { flagNote, reportFailure, runIfMain, type CliIO, type FailureContext } from './run-main.js';
import { runLoadgenCommand } from '../loadgen/runner-command.js';

/** Where the command writes (tests pass their own). */
export type RunnerIO = CliIO;

/** How far the measured window of a `--time` run may stray from the time asked before a warning says so. */
const WINDOW_TOLERANCE = 0.1;

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

/**
 * The runner's failure context: option values come from flags only, so an invalid option or a core budget overrun is
 * a command-line mistake (exit 2), and a library message naming an option also names its flag.
 */
export function runnerFailureContext(tool = 'qaic-runner'): FailureContext {
  return {
    tool,
    usageCodes: ['QAIC_INVALID_OPTION', 'QAIC_OVERSUBSCRIBED'],
    optionFlags: optionFlags(RUNNER_SPEC),
    // A session cannot open a program built for another CPU anyway: the way out is to rebuild it here.
    codeNotes: { QAIC_PROGRAM_HOST_MISMATCH: `recompile it on this host with qaic-exec -m=<model.onnx>, or give the .onnx model to ${tool} -t` },
  };
}

/** Check every path the run will write before any work starts. */
function checkOutputs(args: RunnerArgs, tool: string): void {
  if (args.writeOutputDir !== undefined) checkExistingFolder(tool, '--write-output-dir', args.writeOutputDir);
  if (args.json !== undefined) checkOutputFile(tool, '--json', args.json);
  if (args.report !== undefined) checkOutputFile(tool, '--report', args.report);
  if (args.configureOutput !== undefined) checkOutputFile(tool, '--configure-output', args.configureOutput);
}

/**
 * Run the command; resolves with the exit code.
 *
 * @param tool the name it was called by, used in help and messages
 */
export async function runRunner(argv: readonly string[], io: RunnerIO, tool = 'qaic-runner'): Promise<number> {
  const context = runnerFailureContext(tool);
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(argv, tool);
    if (args.help !== true) checkOutputs(args, tool);
  } catch (error) {
    return reportFailure(context, error, io.err);
  }
  if (args.help === true) {
    io.out(`${runnerUsage(tool)}\n`);
    return 0;
  }
  if (args.configure !== undefined) return runConfigure(args, io, context);
  // --- LoadGen scenarios (lib/loadgen) ---
  if (args.scenario !== undefined || args.findPeak === true) return runLoadgenCommand(args, argv, io, context);
  // --- end LoadGen scenarios ---
  // enable_profiling records the metrics too (the two options cannot be combined).
  const options: SessionOptions = { num_activations: args.activations ?? 1, set_size: args.setSize ?? 10, dev_id: args.device ?? 0 };
  if (args.profiling === true) options.enable_profiling = true;
  else options.enable_metrics = true;
  if (args.cores !== undefined) options.aic_num_cores = args.cores;
  if (args.oversubscribe === true) options.allow_oversubscription = true;
  if (args.symbols !== undefined) options.onnx_define_symbol = args.symbols;
  if (args.graph !== undefined) options.graph = args.graph;
  if (args.activationTimeout !== undefined) options.activation_timeout_ms = args.activationTimeout;
  Object.assign(options, isolationOptions(args));
  let session: Session | undefined;
  try {
    session = new Session(args.testData!, options);
    // Inputs are checked (and read: their exact size is known) before the activations load, so that a wrong file
    // fails in milliseconds, not after loading.
    const declared = session.modelInputShapeDict;
    let inputs: Record<string, InputTensor> | undefined;
    if (args.inputFiles !== undefined) {
      inputs = readInputFiles(args.inputFiles, declared, tool);
    } else {
      const open = Object.entries(declared).flatMap(([name, [shape]]) => shape.filter((d) => typeof d !== 'number').map((d) => `${String(d)} (input '${name}')`));
      if (open.length > 0) {
        throw usageError(tool, `random inputs need fixed shapes, and these dimensions are symbolic: ${[...new Set(open)].join(', ')}; fix each with --onnx-define-symbol <name>,<size> (or compile the model with qaic-exec -onnx-define-symbol)`, { flag: '--onnx-define-symbol' });
      }
    }
    const t0 = performance.now();
    await session.setup();
    const graph = session.graph!;
    if (session.source.kind === 'onnx') io.out(`Compiled ${args.testData} into ${graph.programDir ?? '(not compiled)'}${graph.cached ? ' (cached program)' : ''}\n`);
    io.out(`Loaded ${graph.name} on ${options.num_activations} activation(s) in ${((performance.now() - t0) / 1000).toFixed(3)} s\n`);
    if (session.placement !== undefined) for (const line of formatPlacement(session.placement)) io.out(`${line}\n`);
    const shapes = session.modelInputShapeDict;
    if (args.inputFiles !== undefined) {
      // The prepared program's specs are the ones runs are checked against: read again only if they differ.
      if (JSON.stringify(shapes) !== JSON.stringify(declared)) inputs = readInputFiles(args.inputFiles, shapes, tool);
      for (const f of args.inputFiles) io.out(`Input file: ${f}\n`);
    } else {
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
    const called = performance.now();
    const result = await session.runBenchmark({
      ...(args.time !== undefined ? { inf_time: args.time } : { num_inferences: args.numIter ?? 40 }),
      ...(inputs !== undefined ? { input_dict: inputs } : {}),
      ...(args.warmup !== undefined ? { warmup: args.warmup } : {}),
      emitWarnings: false,
      ...(wantProgress ? { onProgress, progressMs: args.live === true ? (args.livePeriod ?? 1000) : args.report !== undefined ? 100 : 250 } : {}),
    });
    const wall = (performance.now() - called) / 1000;
    if (io.tty) io.err(`${progressBar(1, result.inf_completed)}\n`);
    const d = result.details;
    io.out(`Warm-up: ${d.warmup.perActivation} inference(s) per activation in ${ms(d.warmup.seconds)} ms (excluded)\n`);
    io.out(' ---- Stats ----\n');
    io.out(`${statsLine(result)}\n`);
    io.out(`${windowLine(result, args.time, wall)}\n`);
    // --- LoadGen scenarios: say what kind of figure the closed loop is ---
    io.out(`Closed loop: ${d.activations} activation(s) x ${d.depth} in flight; a concurrency result, not a latency-bounded throughput (see --scenario Server, --find-peak)\n`);
    // --- end LoadGen scenarios ---
    for (const line of formatLatencyTable(d.latency)) io.out(`${line}\n`);
    if (d.perActivation.length > 1) {
      for (const a of d.perActivation) io.out(`activation ${a.activation}: ${a.completed} inferences in ${a.seconds.toFixed(3)} s, P50 ${ms(a.latency.percentiles.P50.value)} ms, P99 ${ms(a.latency.percentiles.P99.value)} ms\n`);
    }
    for (const w of d.warnings) io.out(`WARNING: ${w}${flagNote(w, context.optionFlags)}\n`);
    const stray = args.time === undefined ? 0 : result.inf_time / args.time - 1;
    if (Math.abs(stray) > WINDOW_TOLERANCE) {
      io.out(`WARNING: the measured window (${result.inf_time.toFixed(3)} s) is ${(Math.abs(stray) * 100).toFixed(0)} % ${stray > 0 ? 'longer' : 'shorter'} than the --time ${args.time} asked: each activation measures exactly --time, but they started at different moments (a loaded machine wakes threads late), and the window spans all of them; a longer --time keeps it closer. Inf/Sec is over the measured window\n`);
    }
    let operators: OperatorRow[] | undefined;
    if (args.profiling === true) {
      operators = await session.getOperatorProfile();
      io.out(` ---- onnxruntime operators, all activations (profiled: ${session.profileDir}) ----\n`);
      if (operators.length === 0) io.out('(no operator events were recorded)\n');
      for (const line of formatOperatorTable(operators, 15)) io.out(`${line}\n`);
    }
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
        title: `${tool}: ${args.testData!}`,
        command: `${tool} ${argv.join(' ')}`,
        metrics: session.exportMetrics(),
        benchmark: result,
        progress,
        ...(operators === undefined ? {} : { operators }),
        inputs: shapes,
        outputs: session.modelOutputShapeDict,
      }));
      io.out(`Wrote ${args.report}${operators === undefined ? ' (run with --profiling for the per-operator section)' : ''}\n`);
    }
    return 0;
  } catch (error) {
    if (io.tty) io.err('\n');
    return reportFailure(context, error, io.err);
  } finally {
    await session?.close();
  }
}

/**
 * The window line after the stats line: the window actually measured (first measured start to last completion,
 * all activations), what `--time` asked, and the whole call's wall time (warm-up and result transfer included).
 */
export function windowLine(r: BenchmarkResult, askedSeconds: number | undefined, wallSeconds: number): string {
  const asked = askedSeconds === undefined ? '' : ` (--time asked ${askedSeconds} s)`;
  return `Measured window: ${r.inf_time.toFixed(3)} s${asked}; ${wallSeconds.toFixed(3)} s from start to results, warm-up included`;
}

runIfMain(import.meta.url, 'qaic-runner', runRunner);

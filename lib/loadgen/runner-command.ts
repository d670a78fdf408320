/**
 * `qaic-runner --scenario <name>` and `qaic-runner --find-peak`: run a LoadGen scenario (or the FindPeak search) on
 * the program and print a LoadGen-style summary. Exit codes: 0 VALID (FindPeak: a VALID rate was found), 3 ran but
 * INVALID (none found), 1 the program or inputs are wrong, 2 bad command line (including settings the session
 * refuses, and a bad settings file).
 */
import { writeFileSync } from 'node:fs';
import { Session } from '../session.js';
import type { SessionOptions } from '../options.js';
import { isolationOptions, type RunnerArgs } from '../cli/runner-args.js';
import { readInputFiles } from '../cli/input-files.js';
import { reportFailure, type FailureContext } from '../cli/run-main.js';
import { renderRunReport } from '../report/run-report.js';
import { scenarioArgsFromFlags } from './runner-flags.js';
import { formatLoadgenSummary, formatPeakSummary } from './summary.js';

/** Where the command writes (as `qaic-runner`'s `RunnerIO`). */
export interface LoadgenCommandIO {
  /** standard output */
  out: (text: string) => void;
  /** standard error */
  err: (text: string) => void;
}

/** Exit code of a run that completed but was INVALID (or a FindPeak that found no VALID rate). */
export const EXIT_INVALID = 3;

/** Run the scenario or FindPeak the parsed flags ask for; resolves with the exit code. */
export async function runLoadgenCommand(args: RunnerArgs, argv: readonly string[], io: LoadgenCommandIO, context: FailureContext): Promise<number> {
  const options: SessionOptions = { enable_metrics: true, num_activations: args.activations ?? 1, set_size: args.setSize ?? 10, dev_id: args.device ?? 0 };
  if (args.cores !== undefined) options.aic_num_cores = args.cores;
  if (args.symbols !== undefined) options.onnx_define_symbol = args.symbols;
  if (args.oversubscribe === true) options.allow_oversubscription = true;
  if (args.graph !== undefined) options.graph = args.graph;
  if (args.activationTimeout !== undefined) options.activation_timeout_ms = args.activationTimeout;
  Object.assign(options, isolationOptions(args));
  let session: Session | undefined;
  try {
    session = new Session(args.testData!, options);
    await session.setup();
    const shapes = session.modelInputShapeDict;
    const scenarioArgs = scenarioArgsFromFlags(args);
    if (args.inputFiles !== undefined) {
      scenarioArgs.inputs = readInputFiles(args.inputFiles, shapes);
      for (const f of args.inputFiles) io.out(`Input file: ${f}\n`);
    } else {
      io.out('Using bounded random inputs\n');
    }
    if (args.findPeak === true) {
      const { scenario: _server, ...searchArgs } = scenarioArgs;
      const peak = await session.findPeak({
        ...searchArgs,
        onTrial: (t) => io.out(`trial: target_qps ${t.target_qps.toFixed(2)} ${t.result}${t.reasons.length > 0 ? ` (${t.reasons[0]})` : ''}\n`),
      });
      const percentile = scenarioArgs.target_latency_percentile ?? 99;
      for (const line of formatPeakSummary(peak, percentile)) io.out(`${line}\n`);
      if (args.json !== undefined) {
        writeFileSync(args.json, `${JSON.stringify({ ...session.exportMetrics(), find_peak: peak }, null, 2)}\n`);
        io.out(`Wrote ${args.json}\n`);
      }
      if (args.report !== undefined) {
        writeFileSync(args.report, renderRunReport({ title: `qaic-runner --find-peak: ${args.testData!}`, command: `qaic-runner ${argv.join(' ')}`, metrics: session.exportMetrics(), peak, inputs: shapes, outputs: session.modelOutputShapeDict }));
        io.out(`Wrote ${args.report}\n`);
      }
      return peak.target_qps > 0 ? 0 : EXIT_INVALID;
    }
    const result = await session.runBenchmark({ ...scenarioArgs, emitWarnings: false });
    const l = result.details.loadgen;
    for (const line of formatLoadgenSummary(l)) io.out(`${line}\n`);
    if (args.json !== undefined) {
      session.exportMetrics(args.json);
      io.out(`Wrote ${args.json}\n`);
    }
    if (args.report !== undefined) {
      writeFileSync(args.report, renderRunReport({ title: `qaic-runner --scenario ${l.scenario}: ${args.testData!}`, command: `qaic-runner ${argv.join(' ')}`, metrics: session.exportMetrics(), loadgen: l, inputs: shapes, outputs: session.modelOutputShapeDict }));
      io.out(`Wrote ${args.report}\n`);
    }
    return l.result === 'VALID' ? 0 : EXIT_INVALID;
  } catch (error) {
    // Settings come from flags and the settings file: a refused one is a command-line mistake.
    return reportFailure({ ...context, usageCodes: [...(context.usageCodes ?? []), 'QAIC_INVALID_ARGUMENT'] }, error, io.err);
  } finally {
    await session?.close();
  }
}

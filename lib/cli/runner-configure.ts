/**
 * `qaic-runner --configure throughput|latency [--configure-output best.yaml]`: the auto-configurator from the
 * command line (after the SDK's model configurator). Prints the measured table and the best settings; exits 0
 * when a best layout was found, 1 when none could run.
 */
import type { SessionOptions } from '../options.js';
import { configure, formatConfigureTable, writeOptionsYaml, type ConfigureGoal } from '../tuning/configure.js';
import { isQaicError } from '../errors.js';
import type { RunnerArgs } from './runner-args.js';
import { usageError } from './flags.js';
import { reportFailure, type FailureContext } from './run-main.js';

/** Where output goes (the runner's IO). */
export interface ConfigureIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Run the configurator for parsed runner arguments (output paths already checked); resolves with the exit code.
 *
 * @param context how failures are reported (the runner's)
 */
export async function runConfigure(args: RunnerArgs, io: ConfigureIO, context: FailureContext): Promise<number> {
  const goal = args.configure as ConfigureGoal;
  const sessionOptions: SessionOptions = {};
  if (args.symbols !== undefined) sessionOptions.onnx_define_symbol = args.symbols;
  const seconds = args.time ?? 1;
  try {
    io.out(`Configuring ${args.testData} for ${goal}: 3 rounds of ${seconds} s per layout\n`);
    const result = await configure(args.testData!, {
      goal, seconds, sessionOptions,
      ...(args.warmup !== undefined ? { warmup: args.warmup } : {}),
      onRow: (r) => io.out(`  measured ${r.num_activations} activation(s) x ${r.aic_num_cores} core(s), set size ${r.set_size}${r.batchsize === undefined ? '' : `, batch ${r.batchsize}`}: ${r.error ?? `${r.throughput.toFixed(1)} inf/s, p50 ${r.p50Ms.toFixed(2)} ms`}\n`),
    });
    for (const line of formatConfigureTable(result)) io.out(`${line}\n`);
    io.out(`Load average (1 min): ${result.loadBefore.toFixed(2)} before, ${result.loadAfter.toFixed(2)} after, on ${result.cores} cores${Math.max(result.loadBefore, result.loadAfter) > result.cores ? ' (BUSY: other work competed; re-run on a quiet machine)' : ''}\n`);
    const b = result.best;
    io.out(`Best for ${goal}: -a ${b.num_activations} --aic-num-cores ${b.aic_num_cores} -S ${b.set_size}${b.batchsize === undefined ? '' : ` (batchsize ${b.batchsize})`}\n`);
    if (args.configureOutput !== undefined) {
      writeOptionsYaml(result, args.configureOutput);
      io.out(`Wrote ${args.configureOutput}\n`);
    }
    return 0;
  } catch (error) {
    if (isQaicError(error) && (error.details as { option?: unknown } | undefined)?.option === 'inputShapes') {
      // configure() asks its callers for 'inputShapes', which the command line gives as --onnx-define-symbol.
      const usage = usageError(context.tool, `${error.message.replace(/^configure\(\): /, '').replace(/; give its shape in 'inputShapes'.*$/, '')}: fix every symbolic dimension but the batch with --onnx-define-symbol <name>,<size> (--configure tries batch sizes itself)`, { flag: '--onnx-define-symbol' });
      return reportFailure(context, usage, io.err);
    }
    return reportFailure({ ...context, usageCodes: [...(context.usageCodes ?? []), 'QAIC_INVALID_ARGUMENT'] }, error, io.err);
  }
}

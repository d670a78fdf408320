/**
 * The checks of `run()`'s second argument. Inputs are checked in `tensor.ts`; this is the per-call options object,
 * which must be read once, defensively: a getter or proxy that throws, a `null`, or a `signal` that is not an
 * `AbortSignal` becomes a typed error instead of a raw `TypeError` from deep inside the dispatcher.
 */
import { types } from 'node:util';
import { QaicError, describeValue } from './errors.js';

/** The validated options of one `run()` call: a fresh object, so nothing the caller holds is read again. */
export interface CheckedRunOptions {
  /** the caller's signal, checked to be a real (not proxied) `AbortSignal` */
  signal?: AbortSignal;
  /** the outputs to compute and return (a fresh, frozen copy of the caller's list), checked against the graph later */
  outputs?: readonly string[];
}

/** Longest `outputs` list `run()` reads: more names than any graph has outputs is a mistake, not a request. */
export const MAX_OUTPUT_SELECTION = 4096;

function invalid(message: string, cause?: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', message, { cause, details: { argument: 'options' } });
}

/**
 * Check `run()`'s options argument: `undefined`, or an object whose `signal` is `undefined` or an `AbortSignal` and
 * whose `outputs` is `undefined` or a non-empty array of distinct output names (checked against the graph by
 * {@link checkOutputSelection}).
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` naming what was given (also when reading it threw)
 */
export function checkRunOptions(options: unknown): CheckedRunOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`run() options must be an object such as { signal }, got ${describeValue(options)}`);
  }
  let signal: unknown;
  try {
    signal = (options as { signal?: unknown }).signal;
  } catch (error) {
    throw invalid(`run() options could not be read: reading 'signal' threw ${describeThrown(error)}`, error);
  }
  let outputs: unknown;
  try {
    outputs = (options as { outputs?: unknown }).outputs;
  } catch (error) {
    throw invalid(`run() options could not be read: reading 'outputs' threw ${describeThrown(error)}`, error);
  }
  const checked: CheckedRunOptions = {};
  if (outputs !== undefined) checked.outputs = checkOutputList(outputs);
  if (signal === undefined) return checked;
  // a proxy of an AbortSignal passes instanceof but throws 'Illegal invocation' on every use
  if (!(signal instanceof AbortSignal) || types.isProxy(signal)) {
    throw invalid(`run() option 'signal' must be an AbortSignal (e.g. AbortSignal.timeout(ms) or an AbortController's signal), got ${types.isProxy(signal) ? 'a Proxy' : describeValue(signal)}`);
  }
  checked.signal = signal;
  return checked;
}

function invalidOutputs(message: string, cause?: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', message, { cause, details: { argument: 'outputs' } });
}

/** `outputs` read once into a dense, frozen copy of distinct non-empty names (a proxy cannot answer twice). */
function checkOutputList(outputs: unknown): readonly string[] {
  if (!Array.isArray(outputs)) {
    throw invalidOutputs(`run() option 'outputs' must be an array of output names such as ['maps'], got ${describeValue(outputs)}`);
  }
  let names: unknown[];
  try {
    if (outputs.length > MAX_OUTPUT_SELECTION) {
      throw invalidOutputs(`run() option 'outputs' lists ${outputs.length} names; at most ${MAX_OUTPUT_SELECTION} are read`);
    }
    names = Array.from(outputs as unknown[]);
  } catch (error) {
    if (error instanceof QaicError) throw error;
    throw invalidOutputs(`run() option 'outputs' could not be read: ${describeThrown(error)}`, error);
  }
  if (names.length === 0) {
    throw invalidOutputs("run() option 'outputs' is empty: name at least one output, or leave the option out to get every output");
  }
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (typeof name !== 'string' || name === '') {
      throw invalidOutputs(`run() option 'outputs'[${i}] must be an output name (a non-empty string), got ${describeValue(name)}`);
    }
    if (seen.has(name)) throw invalidOutputs(`run() option 'outputs' names '${name}' twice; name each output once`);
    seen.add(name);
  }
  return Object.freeze(names as string[]);
}

/**
 * Check an output selection against the outputs of the graph that will run it.
 *
 * @param graph the graph's name, for the message (omitted for a single-graph program)
 * @throws QaicError `QAIC_INVALID_ARGUMENT` naming the option, the unknown output and every output the graph has
 */
export function checkOutputSelection(selection: readonly string[], outputs: readonly { name: string }[], graph?: string): void {
  for (const name of selection) {
    let known = false;
    for (const o of outputs) if (o.name === name) known = true;
    if (!known) {
      const list = outputs.map((o) => `'${o.name}'`).join(', ');
      throw new QaicError('QAIC_INVALID_ARGUMENT', `run() option 'outputs' names '${name}', which is not an output of ${graph === undefined ? 'the model' : `graph '${graph}'`}; its outputs are ${list}`, {
        details: { argument: 'outputs', output: name, outputs: outputs.map((o) => o.name) },
      });
    }
  }
}

/** A thrown value for a message: its message when it is an Error, else its description. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return describeValue(error);
  } catch {
    return 'a value that cannot be described';
  }
}

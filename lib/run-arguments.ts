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
}

function invalid(message: string, cause?: unknown): QaicError {
  return new QaicError('QAIC_INVALID_ARGUMENT', message, { cause, details: { argument: 'options' } });
}

/**
 * Check `run()`'s options argument: `undefined`, or an object whose `signal` is `undefined` or an `AbortSignal`.
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
  if (signal === undefined) return {};
  // a proxy of an AbortSignal passes instanceof but throws 'Illegal invocation' on every use
  if (!(signal instanceof AbortSignal) || types.isProxy(signal)) {
    throw invalid(`run() option 'signal' must be an AbortSignal (e.g. AbortSignal.timeout(ms) or an AbortController's signal), got ${types.isProxy(signal) ? 'a Proxy' : describeValue(signal)}`);
  }
  return { signal };
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

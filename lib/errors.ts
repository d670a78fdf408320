/**
 * The one error family of the library.
 *
 * Every failure the library reports is a {@link QaicError} with a stable {@link QaicErrorCode}. Messages name
 * the option, input or file concerned, what was expected and what was given. Errors that happen inside an
 * activation's worker thread cross back as plain data (structured clone drops custom fields such as `code`)
 * and are rebuilt here with their code, message and cause intact.
 *
 * @packageDocumentation
 */

/**
 * Stable error codes. Code strings never change meaning once released; new failures get new codes.
 *
 * - `QAIC_INVALID_OPTION`: an option has an unknown name, a wrong type or a value out of range.
 * - `QAIC_INVALID_ARGUMENT`: a method argument (other than options and inputs) is malformed.
 * - `QAIC_FILE_NOT_FOUND`: a model, program, options or input file is missing or unreadable.
 * - `QAIC_FILE_INVALID`: a file is not a regular file (a FIFO, device or folder) or its size is not what is expected.
 * - `QAIC_MODEL_INVALID`: a model file is not a valid ONNX model.
 * - `QAIC_INPUT_UNKNOWN` / `QAIC_INPUT_MISSING` / `QAIC_INPUT_DTYPE` / `QAIC_INPUT_SHAPE`: `run()` inputs
 *   disagree with the model's inputs.
 * - `QAIC_SESSION_CLOSED`: the session was closed; it cannot be used any more.
 * - `QAIC_OVERSUBSCRIBED`: `aic_num_cores × num_activations` exceeds the machine's cores.
 * - `QAIC_ACTIVATION_FAILED`: an activation could not load its graph (the onnxruntime reason is in the message).
 * - `QAIC_ACTIVATION_CRASHED`: an activation's worker thread died with requests in flight.
 * - `QAIC_RUN_FAILED`: onnxruntime rejected an inference.
 * - `QAIC_ABORTED`: the caller aborted a request (AbortSignal), or the session was reset/closed under it.
 * - `QAIC_TIMEOUT`: an activation did not become ready in time.
 * - `QAIC_METRICS_DISABLED`: metrics or profiling were asked for without `enable_metrics`/`enable_profiling`.
 * - `QAIC_COMPILE_FAILED`: the compiler could not produce a program.
 * - `QAIC_UNSUPPORTED_OPERATOR`: the model uses an operator (or version) the CPU backend cannot run.
 * - `QAIC_UNKNOWN_SYMBOL`: `onnx_define_symbol` names a symbol the model does not have.
 * - `QAIC_PROFILE_INVALID`: a quantization profile file is malformed (not the documented format or version).
 * - `QAIC_PROFILE_MISMATCH`: a quantization profile was recorded on another model, other dims, or lacks tensors.
 * - `QAIC_PROGRAM_CORRUPT`: a program container fails verification (truncated, checksum, bounds).
 * - `QAIC_PROGRAM_VERSION`: a program container was written by an incompatible format version.
 * - `QAIC_PROGRAM_HOST_MISMATCH`: a program holds optimizations for CPU features this host lacks.
 * - `QAIC_GRAPH_NOT_FOUND`: a program has no graph of the requested name.
 * - `QAIC_NOT_IMPLEMENTED`: the feature exists in the Python API but not (yet) here.
 * - `QAIC_CLI_USAGE`: a command line was malformed.
 * - `QAIC_PINNING_FAILED`: the OS refused to pin an activation's thread to the CPUs it was given.
 * - `QAIC_INTERNAL`: a bug in this library; please report it.
 */
export type QaicErrorCode =
  | 'QAIC_INVALID_OPTION'
  | 'QAIC_INVALID_ARGUMENT'
  | 'QAIC_FILE_NOT_FOUND'
  | 'QAIC_FILE_INVALID'
  | 'QAIC_MODEL_INVALID'
  | 'QAIC_INPUT_UNKNOWN'
  | 'QAIC_INPUT_MISSING'
  | 'QAIC_INPUT_DTYPE'
  | 'QAIC_INPUT_SHAPE'
  | 'QAIC_SESSION_CLOSED'
  | 'QAIC_OVERSUBSCRIBED'
  | 'QAIC_ACTIVATION_FAILED'
  | 'QAIC_ACTIVATION_CRASHED'
  | 'QAIC_RUN_FAILED'
  | 'QAIC_ABORTED'
  | 'QAIC_TIMEOUT'
  | 'QAIC_METRICS_DISABLED'
  | 'QAIC_COMPILE_FAILED'
  | 'QAIC_UNSUPPORTED_OPERATOR'
  | 'QAIC_UNKNOWN_SYMBOL'
  | 'QAIC_PROFILE_INVALID'
  | 'QAIC_PROFILE_MISMATCH'
  | 'QAIC_PROGRAM_CORRUPT'
  | 'QAIC_PROGRAM_VERSION'
  | 'QAIC_PROGRAM_HOST_MISMATCH'
  | 'QAIC_GRAPH_NOT_FOUND'
  | 'QAIC_NOT_IMPLEMENTED'
  | 'QAIC_CLI_USAGE'
  | 'QAIC_PINNING_FAILED'
  | 'QAIC_INTERNAL';

const BRAND = Symbol.for('qaic.error');

/** Extra, machine-readable facts attached to an error (option name, input name, file path, ...). */
export type QaicErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The error type thrown (or rejected with) by every part of the library.
 *
 * `instanceof QaicError` works across duplicate installs of the package (the class brands its instances with a
 * registry symbol), so code that receives an error from another copy of `qaic` can still recognise it.
 */
export class QaicError extends Error {
  /** Stable, documented code; switch on this rather than on the message. */
  readonly code: QaicErrorCode;
  /** Machine-readable facts about the failure (which option, input, file, ...). */
  readonly details: QaicErrorDetails;

  constructor(code: QaicErrorCode, message: string, options: { cause?: unknown; details?: QaicErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Always `'QaicError'` (also on instances from another copy of the package), so stack traces and logs name it. */
  override get name(): string {
    return 'QaicError';
  }

  /**
   * Makes `value instanceof QaicError` true for any error branded with the `Symbol.for('qaic.error')` registry
   * symbol, including errors created by a duplicate install of the package; false for everything else.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** True when `value` is a {@link QaicError}, optionally of the given code. */
export function isQaicError(value: unknown, code?: QaicErrorCode): value is QaicError {
  return value instanceof QaicError && (code === undefined || value.code === code);
}

/** The plain-data form in which errors cross thread boundaries. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError;
}

/** Turn any thrown value into data that survives `postMessage` with its code and cause chain. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    if (error.stack !== undefined) out.stack = error.stack;
    if (error instanceof QaicError && Object.keys(error.details).length > 0) out.details = { ...error.details };
    if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  return { name: 'Error', message: String(error) };
}

// a Record, not a list: the compiler refuses it when a code is added to QaicErrorCode and not here (a code missing
// here would come back from a worker as the fallback code)
const KNOWN_CODES: Readonly<Record<QaicErrorCode, true>> = {
  QAIC_INVALID_OPTION: true, QAIC_INVALID_ARGUMENT: true, QAIC_FILE_NOT_FOUND: true, QAIC_FILE_INVALID: true, QAIC_MODEL_INVALID: true,
  QAIC_INPUT_UNKNOWN: true, QAIC_INPUT_MISSING: true, QAIC_INPUT_DTYPE: true, QAIC_INPUT_SHAPE: true,
  QAIC_SESSION_CLOSED: true, QAIC_OVERSUBSCRIBED: true, QAIC_ACTIVATION_FAILED: true, QAIC_ACTIVATION_CRASHED: true,
  QAIC_RUN_FAILED: true, QAIC_ABORTED: true, QAIC_TIMEOUT: true, QAIC_METRICS_DISABLED: true,
  QAIC_COMPILE_FAILED: true, QAIC_UNSUPPORTED_OPERATOR: true, QAIC_UNKNOWN_SYMBOL: true, QAIC_PROFILE_INVALID: true, QAIC_PROFILE_MISMATCH: true, QAIC_PROGRAM_CORRUPT: true,
  QAIC_PROGRAM_VERSION: true, QAIC_PROGRAM_HOST_MISMATCH: true, QAIC_GRAPH_NOT_FOUND: true,
  QAIC_NOT_IMPLEMENTED: true, QAIC_CLI_USAGE: true, QAIC_PINNING_FAILED: true, QAIC_INTERNAL: true,
};

function isKnownCode(code: string | undefined): code is QaicErrorCode {
  return code !== undefined && Object.hasOwn(KNOWN_CODES, code);
}

/**
 * Rebuild an error serialized by {@link serializeError}. A serialized `QaicError` comes back as a `QaicError`
 * with the same code; anything else comes back as a `QaicError` of `fallbackCode` whose cause is the original.
 */
export function deserializeError(data: SerializedError, fallbackCode: QaicErrorCode): QaicError {
  const cause = data.cause === undefined ? undefined : reviveCause(data.cause);
  if (isKnownCode(data.code)) {
    const error = new QaicError(data.code, data.message, {
      cause,
      details: data.details ?? {},
    });
    if (data.stack !== undefined) error.stack = data.stack;
    return error;
  }
  const original = reviveCause(data);
  return new QaicError(fallbackCode, data.message, { cause: original });
}

function reviveCause(data: SerializedError): Error {
  if (isKnownCode(data.code)) return deserializeError(data, 'QAIC_INTERNAL');
  const error = new Error(data.message, data.cause === undefined ? undefined : { cause: reviveCause(data.cause) });
  error.name = data.name;
  if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

/** Format a value for an error message: strings quoted, objects as compact JSON, with its type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}' (string)`;
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  if (Array.isArray(value)) {
    const text = safeJson(value);
    return `${text.length > 80 ? `${text.slice(0, 77)}...` : text} (array)`;
  }
  if (typeof value === 'object') {
    const text = safeJson(value);
    return `${text.length > 80 ? `${text.slice(0, 77)}...` : text} (${value.constructor?.name ?? 'object'})`;
  }
  return `${String(value)} (${typeof value})`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

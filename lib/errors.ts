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
 * Every error code, each documented with its meaning: the one list of codes. {@link QaicErrorCode} is its keys, and
 * errors that cross back from a worker thread keep their code when it is one of these. Code strings never change
 * meaning once released; new failures get new codes. `Object.hasOwn(QAIC_ERROR_CODES, code)` tells a qaic code.
 */
export const QAIC_ERROR_CODES = Object.freeze({
  /** An option has an unknown name, a wrong type or a value out of range, or options conflict. */
  QAIC_INVALID_OPTION: true,
  /** A method argument (other than options and inputs) is malformed. */
  QAIC_INVALID_ARGUMENT: true,
  /** A model, program, options or input file is missing or unreadable. */
  QAIC_FILE_NOT_FOUND: true,
  /** A file is not a regular file (a FIFO, device or folder) or its size is not what is expected. */
  QAIC_FILE_INVALID: true,
  /** A model file is not a valid ONNX model. */
  QAIC_MODEL_INVALID: true,
  /** `run()` was given an input the model does not have. */
  QAIC_INPUT_UNKNOWN: true,
  /** `run()` was not given an input the model needs (or was not given an object of inputs). */
  QAIC_INPUT_MISSING: true,
  /** A `run()` input's element type (or container) is not the model input's. */
  QAIC_INPUT_DTYPE: true,
  /** A `run()` input's shape (or element count) does not fit the model input's. */
  QAIC_INPUT_SHAPE: true,
  /** The session was closed; it cannot be used any more. */
  QAIC_SESSION_CLOSED: true,
  /** `aic_num_cores × num_activations` exceeds the machine's cores (`allow_oversubscription` not given). */
  QAIC_OVERSUBSCRIBED: true,
  /** An activation could not load its graph (onnxruntime's reason is in the message). */
  QAIC_ACTIVATION_FAILED: true,
  /**
   * An activation died with requests in flight: its worker thread exited, or its child process (`isolation:
   * 'process'`) was killed by a signal (named in the message: SIGFPE for an arithmetic fault inside onnxruntime) or
   * ended to stop a run that overran `run_timeout` or was aborted. The activation is replaced.
   */
  QAIC_ACTIVATION_CRASHED: true,
  /** onnxruntime rejected an inference. */
  QAIC_RUN_FAILED: true,
  /** The caller aborted a request (AbortSignal), or the session was reset or closed under it. */
  QAIC_ABORTED: true,
  /** An activation did not become ready in time (`activation_timeout_ms`), or a run overran `run_timeout`. */
  QAIC_TIMEOUT: true,
  /** Metrics or profiling were asked for without `enable_metrics` or `enable_profiling`. */
  QAIC_METRICS_DISABLED: true,
  /**
   * The compiler could not produce a program; with `isolation: 'process'` also when its child process was killed by
   * a signal (named in the message: SIGFPE when onnxruntime's constant folding faults).
   */
  QAIC_COMPILE_FAILED: true,
  /** The model uses an operator (or operator version) the CPU backend cannot run. */
  QAIC_UNSUPPORTED_OPERATOR: true,
  /** `onnx_define_symbol` names a symbol the model does not have. */
  QAIC_UNKNOWN_SYMBOL: true,
  /** A quantization profile file is malformed: not the documented format or version, or a field out of range. */
  QAIC_PROFILE_INVALID: true,
  /** A quantization profile was recorded on another model or other dims, or lacks tensors the model quantizes. */
  QAIC_PROFILE_MISMATCH: true,
  /** A program container fails verification (truncated, checksum, bounds). */
  QAIC_PROGRAM_CORRUPT: true,
  /** A program container was written by an incompatible format version. */
  QAIC_PROGRAM_VERSION: true,
  /** A program holds optimizations for CPU features this host lacks. */
  QAIC_PROGRAM_HOST_MISMATCH: true,
  /** A program has no graph of the requested name. */
  QAIC_GRAPH_NOT_FOUND: true,
  /** A command line was malformed. */
  QAIC_CLI_USAGE: true,
  /** The OS refused to pin an activation's thread to the CPUs it was given. */
  QAIC_PINNING_FAILED: true,
  /**
   * `compute_unit` cannot be met: none of the listed units is available on this host (the message gives each one's
   * reason, as `availableComputeUnits()` found it), or the list has no `'cpu'` (its units are mandatory) and some nodes
   * can run on none of them. When another listed unit is available, a missing one is only the warning
   * `QAIC_COMPUTE_UNIT_FALLBACK`.
   */
  QAIC_COMPUTE_UNIT_UNAVAILABLE: true,
  /** A bug in this library; please report it. */
  QAIC_INTERNAL: true,
} as const satisfies Record<string, true>);

/** A stable error code: a key of {@link QAIC_ERROR_CODES}, where each code's meaning is written. */
export type QaicErrorCode = keyof typeof QAIC_ERROR_CODES;

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

function isKnownCode(code: string | undefined): code is QaicErrorCode {
  return code !== undefined && Object.hasOwn(QAIC_ERROR_CODES, code);
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

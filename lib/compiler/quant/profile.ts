/**
 * The quantization profile (the SDK's `-dump-profile` / `-load-profile` file): each calibrated tensor's exact min
 * and max and its histogram, for one model at fixed dims.
 *
 * The SDK's own profile format is not public, so this one is the library's, documented here and versioned:
 *
 * ```json
 * { "format": "qaic-quantization-profile", "version": 1,
 *   "model": { "sha256": "<hex of the model file's bytes>", "symbols": { "batch": 1 }, "batchsize": null },
 *   "num_histogram_bins": 512, "calibration_inputs": 20, "calibration_input_digests": [ "<hex>", ... ],
 *   "tensors": [ { "name": "conv1_out", "min": -1.5, "max": 6.0, "lo": -1.5, "hi": 6.0,
 *                  "total": 491520, "nans": 0, "infinities": 0, "histogram": [ ...512 counts... ] } ] }
 * ```
 *
 * `calibration_input_digests` (optional) holds the SHA-256 of each calibration input set (see `inputSetDigest`), so
 * that the int8 accuracy report can refuse to evaluate on the inputs it was calibrated on.
 *
 * A profile is read as untrusted input: a regular file of bounded size, every field checked, and its model hash
 * compared with the model being compiled, so that a profile of another model (whose tensor names may happen to
 * match) is refused instead of quantizing with wrong ranges.
 */
import { writeFileSync } from 'node:fs';
import { QaicError, describeValue } from '../../errors.js';
import { readRegularTextFileSync } from '../../files.js';
import type { TensorHistogram } from './histogram.js';

/** The profile format's name and version. */
export const PROFILE_FORMAT = 'qaic-quantization-profile';
/** Version of the profile format this library writes and reads. */
export const PROFILE_VERSION = 1;
/** The largest profile file read (bytes): 512 MiB. */
export const MAX_PROFILE_BYTES = 512 * 2 ** 20;

/** One calibrated tensor. */
export interface ProfileTensor extends TensorHistogram {
  /** the tensor's name in the model (dims fixed) */
  name: string;
}

/** A quantization profile (see the module note for the file format). */
export interface QuantizationProfile {
  /** the model the profile was recorded on */
  model: {
    /** SHA-256 (hex) of the model file's bytes */
    sha256: string;
    /** the symbol sizes it was run with (`onnx_define_symbol`) */
    symbols: Record<string, number>;
    /** the batch size it was run with, or null */
    batchsize: number | null;
  };
  /** bins of every histogram (`num_histogram_bins`) */
  bins: number;
  /** how many input sets were run */
  calibrationInputs: number;
  /** SHA-256 (hex) of each calibration input set, when recorded (`inputSetDigest`) */
  inputDigests?: string[];
  /** the calibrated tensors, by name */
  tensors: Map<string, ProfileTensor>;
}

/** The profile as JSON text. */
export function serializeProfile(p: QuantizationProfile): string {
  return JSON.stringify({
    format: PROFILE_FORMAT, version: PROFILE_VERSION, model: p.model, num_histogram_bins: p.bins, calibration_inputs: p.calibrationInputs,
    ...(p.inputDigests === undefined ? {} : { calibration_input_digests: p.inputDigests }),
    tensors: [...p.tensors.values()].map((t) => ({
      name: t.name, min: t.min, max: t.max, lo: t.lo, hi: t.hi, total: t.total, nans: t.nans, infinities: t.infinities, histogram: Array.from(t.counts),
    })),
  });
}

/** Write `p` to `path` (only that file). */
export function writeProfile(path: string, p: QuantizationProfile): void {
  writeFileSync(path, serializeProfile(p) + '\n');
}

function corrupt(source: string, what: string, given?: unknown): QaicError {
  return new QaicError('QAIC_PROFILE_INVALID', `quantization profile ${source} is not valid: ${what}${given === undefined ? '' : `, got ${describeValue(given)}`}`, { details: { file: source } });
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parse and check a profile's JSON text.
 * @throws QaicError `QAIC_PROFILE_INVALID` naming the first problem.
 */
export function parseProfile(text: string, source = 'profile'): QuantizationProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt(source, `not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw corrupt(source, 'expected a JSON object', raw);
  const o = raw as Record<string, unknown>;
  if (o['format'] !== PROFILE_FORMAT) throw corrupt(source, `expected "format": "${PROFILE_FORMAT}"`, o['format']);
  if (o['version'] !== PROFILE_VERSION) {
    throw new QaicError('QAIC_PROFILE_INVALID', `quantization profile ${source} has format version ${describeValue(o['version'])}; this library reads version ${PROFILE_VERSION}: record it again with this version`, { details: { file: source } });
  }
  const model = o['model'] as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null || typeof model['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(model['sha256'])) throw corrupt(source, 'expected "model.sha256", a SHA-256 in hex', model?.['sha256']);
  const symbols = model['symbols'];
  if (typeof symbols !== 'object' || symbols === null || Array.isArray(symbols) || !Object.values(symbols).every((v) => Number.isInteger(v) && (v as number) > 0)) throw corrupt(source, 'expected "model.symbols", an object of positive integers', symbols);
  const batchsize = model['batchsize'] ?? null;
  if (batchsize !== null && !(Number.isInteger(batchsize) && (batchsize as number) > 0)) throw corrupt(source, 'expected "model.batchsize", a positive integer or null', batchsize);
  const bins = o['num_histogram_bins'];
  if (!Number.isInteger(bins) || (bins as number) < 2 || (bins as number) > 1 << 20) throw corrupt(source, 'expected "num_histogram_bins", an integer in [2, 1048576]', bins);
  const inputs = o['calibration_inputs'];
  if (!Number.isInteger(inputs) || (inputs as number) < 1) throw corrupt(source, 'expected "calibration_inputs", a positive integer', inputs);
  const digests = o['calibration_input_digests'];
  if (digests !== undefined && (!Array.isArray(digests) || !digests.every((d) => typeof d === 'string' && /^[0-9a-f]{64}$/.test(d)))) {
    throw corrupt(source, 'expected "calibration_input_digests", an array of SHA-256s in hex', digests);
  }
  if (!Array.isArray(o['tensors'])) throw corrupt(source, 'expected "tensors", an array', o['tensors']);
  const tensors = new Map<string, ProfileTensor>();
  for (const [k, t] of (o['tensors'] as unknown[]).entries()) {
    const where = `tensors[${k}]`;
    if (typeof t !== 'object' || t === null) throw corrupt(source, `${where}: expected an object`, t);
    const e = t as Record<string, unknown>;
    const name = e['name'];
    if (typeof name !== 'string' || name === '') throw corrupt(source, `${where}: expected a tensor name`, name);
    if (tensors.has(name)) throw corrupt(source, `tensor '${name}' appears twice`);
    for (const f of ['min', 'max', 'lo', 'hi', 'total', 'nans', 'infinities']) if (!finite(e[f])) throw corrupt(source, `tensor '${name}': expected a finite number for "${f}"`, e[f]);
    const [min, max, lo, hi] = [e['min'], e['max'], e['lo'], e['hi']] as number[];
    if (!(lo! <= min! && min! <= max! && max! <= hi!)) throw corrupt(source, `tensor '${name}': expected lo <= min <= max <= hi, got ${lo}, ${min}, ${max}, ${hi}`);
    const h = e['histogram'];
    if (!Array.isArray(h) || h.length !== bins) throw corrupt(source, `tensor '${name}': expected a histogram of ${String(bins)} counts`, Array.isArray(h) ? `${h.length} counts` : h);
    if (!h.every((c) => finite(c) && c >= 0)) throw corrupt(source, `tensor '${name}': histogram counts must be finite and non-negative`);
    tensors.set(name, {
      name, min: min!, max: max!, lo: lo!, hi: hi!, total: e['total'] as number, nans: e['nans'] as number, infinities: e['infinities'] as number, counts: Float64Array.from(h as number[]),
    });
  }
  if (tensors.size === 0) throw corrupt(source, 'it holds no tensor');
  return { model: { sha256: model['sha256'], symbols: { ...(symbols as Record<string, number>) }, batchsize: batchsize as number | null }, bins: bins as number, calibrationInputs: inputs as number, ...(digests === undefined ? {} : { inputDigests: [...(digests as string[])] }), tensors };
}

/**
 * Read a profile file (a regular file of at most {@link MAX_PROFILE_BYTES}).
 * @throws QaicError `QAIC_FILE_NOT_FOUND`, `QAIC_FILE_INVALID` or `QAIC_PROFILE_INVALID`.
 */
export function readProfile(path: string): QuantizationProfile {
  return parseProfile(readRegularTextFileSync(path, { what: 'quantization profile', maxBytes: MAX_PROFILE_BYTES }), `'${path}'`);
}

/**
 * Check that `profile` was recorded on the model with this content hash and these fixed dims (a symbol it left free
 * matches any size), and that it holds
 * every tensor in `needed`.
 * @throws QaicError `QAIC_PROFILE_MISMATCH` naming what differs (another model, other dims, missing tensors).
 */
export function checkProfileMatches(profile: QuantizationProfile, source: string, modelSha256: string, symbols: Readonly<Record<string, number>>, needed: Iterable<string>): void {
  if (profile.model.sha256 !== modelSha256) {
    throw new QaicError('QAIC_PROFILE_MISMATCH', `quantization profile ${source} was recorded on another model (sha256 ${profile.model.sha256.slice(0, 12)}..., this model is ${modelSha256.slice(0, 12)}...): calibrate this model again`, {
      details: { file: source, profileModel: profile.model.sha256, model: modelSha256 },
    });
  }
  // A symbol the profile left free was calibrated over whatever sizes its inputs had: it covers any size here (a
  // program of several shapes, compiled one by one and linked, quantizes each with the one profile).
  const differs = Object.entries(symbols).filter(([k, v]) => profile.model.symbols[k] !== undefined && profile.model.symbols[k] !== v);
  if (differs.length > 0) {
    throw new QaicError('QAIC_PROFILE_MISMATCH', `quantization profile ${source} was recorded with other dims: ${differs.map(([k, v]) => `'${k}' ${profile.model.symbols[k] ?? 'free'} there, ${v} here`).join(', ')}`, { details: { file: source } });
  }
  const missing = [...needed].filter((n) => !profile.tensors.has(n));
  if (missing.length > 0) {
    throw new QaicError('QAIC_PROFILE_MISMATCH', `quantization profile ${source} has no range for ${missing.length} tensor(s) the model quantizes: ${missing.slice(0, 8).map((n) => `'${n}'`).join(', ')}${missing.length > 8 ? ', ...' : ''}`, {
      details: { file: source, missing },
    });
  }
}

/**
 * Shape specializations: one program holding one network compiled at several shapes (QEfficient's
 * `specializations.json`, the AI Hub's linked landscape/portrait graphs), and a session that sends each run to the
 * graph whose input shapes equal the given ones.
 *
 * This module holds what does not need a session: reading a specializations config, matching inputs to a graph,
 * the allowed-shapes listing and the helper that pads an input up to the smallest specialization that holds it.
 */
import { QaicError, describeValue } from './errors.js';
import type { TensorData } from './dtypes.js';
import type { ValueSpec } from './onnx/model.js';
import type { InputTensor, Inputs } from './tensor.js';

/** One specialization: a fixed size for each named symbolic dimension, e.g. `{ seq_len: 32, ctx_len: 128 }`. */
export type Specialization = Readonly<Record<string, number>>;

/** Most specializations one compile accepts (each is a full compile of the model). */
export const MAX_SPECIALIZATIONS = 64;

/** Largest size a specialization may give a dimension (as `batchsize`'s limit). */
const MAX_DIM = 1 << 20;

/** The input shapes of one graph, as {@link Session.allowedShapes} lists them. */
export interface AllowedShape {
  /** the graph's name in its program */
  graph: string;
  /** input name → its fixed shape (a symbolic dim, if any is left, as its name) */
  inputs: Record<string, Array<number | string | null>>;
}

function invalidSpecializations(option: string, message: string, details: Record<string, unknown> = {}): QaicError {
  return new QaicError('QAIC_INVALID_OPTION', message, { details: { option, ...details } });
}

/**
 * Check a list of specializations, as given in code or read from a QEfficient-style file: a non-empty array of
 * objects mapping symbol names to positive integers. QEfficient writes values as strings (`"32"`), so decimal
 * integer strings are accepted and become numbers. Duplicates are refused (two graphs of the same shape could never
 * be told apart).
 *
 * @param option the option the list came from, for messages (`specializations` or `network_specialization_config`)
 * @param where appended to messages (e.g. ` in 'specializations.json'`)
 * @throws QaicError `QAIC_INVALID_OPTION` naming the option, the entry and what was expected
 */
export function checkSpecializations(value: unknown, option: string, where = ''): Specialization[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidSpecializations(option, `option '${option}'${where}: expected a non-empty array of specializations such as [{ seq_len: 32 }, { seq_len: 128 }], got ${describeValue(value)}`);
  }
  if (value.length > MAX_SPECIALIZATIONS) {
    throw invalidSpecializations(option, `option '${option}'${where}: ${value.length} specializations given; at most ${MAX_SPECIALIZATIONS} are accepted (each is a compile of the model)`);
  }
  const out: Specialization[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || Object.keys(entry).length === 0) {
      throw invalidSpecializations(option, `option '${option}'${where}: specialization ${i} must be a non-empty object of symbol name to size, got ${describeValue(entry)}`, { index: i });
    }
    const spec: Record<string, number> = {};
    for (const [symbol, raw] of Object.entries(entry as Record<string, unknown>)) {
      const size = typeof raw === 'string' && /^[0-9]{1,7}$/.test(raw) ? Number(raw) : raw;
      if (symbol === '' || !Number.isSafeInteger(size) || (size as number) < 1 || (size as number) > MAX_DIM) {
        throw invalidSpecializations(option, `option '${option}'${where}: specialization ${i} gives symbol ${describeValue(symbol)} the size ${describeValue(raw)}; expected an integer from 1 to ${MAX_DIM} (a number, or a decimal string as QEfficient writes)`, { index: i, symbol });
      }
      spec[symbol] = size as number;
    }
    const key = JSON.stringify(Object.entries(spec).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    if (seen.has(key)) {
      throw invalidSpecializations(option, `option '${option}'${where}: specializations ${seen.get(key)} and ${i} are the same (${describeValue(spec)}); give each shape once`, { index: i });
    }
    seen.set(key, i);
    out.push(Object.freeze(spec));
  }
  return out;
}

/**
 * Parse the text of a QEfficient-style specializations file: `{"specializations": [{"seq_len": "32"}, ...]}`.
 *
 * @throws QaicError `QAIC_INVALID_OPTION` naming the file and the option for text that is not JSON, JSON without a
 *   `specializations` list, or entries {@link checkSpecializations} refuses
 */
export function parseSpecializationConfig(text: string, file: string): Specialization[] {
  const option = 'network_specialization_config';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new QaicError('QAIC_INVALID_OPTION', `option '${option}': '${file}' is not valid JSON (${(error as Error).message}); expected {"specializations": [{"symbol": size, ...}, ...]}`, {
      cause: error, details: { option, file },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.hasOwn(parsed, 'specializations')) {
    throw invalidSpecializations(option, `option '${option}': '${file}' must hold an object with a "specializations" list, as QEfficient writes it ({"specializations": [{"seq_len": "32"}]}), got ${describeValue(parsed)}`, { file });
  }
  return checkSpecializations((parsed as { specializations: unknown }).specializations, option, ` in '${file}'`);
}

/**
 * The graph name of each specialization: its sizes joined by `x` in the order given (`{h: 256, w: 384}` is
 * `'256x384'`), which names a shape the way people say it; `spec<i>` when two would collide.
 */
export function specializationNames(specs: readonly Specialization[]): string[] {
  const names = specs.map((s) => Object.values(s).join('x'));
  return names.map((n, i) => (names.indexOf(n) === i && names.lastIndexOf(n) === i && n.length <= 64 ? n : `spec${i}`));
}

/** The fixed shapes of every graph, for `allowedShapes` and error messages. */
export function allowedShapesOf(graphs: ReadonlyArray<{ name: string; inputs: readonly ValueSpec[] }>): AllowedShape[] {
  return graphs.map((g) => ({
    graph: g.name,
    inputs: Object.fromEntries(g.inputs.map((s) => [s.name, [...(s.shape ?? [])]])),
  }));
}

function formatShapes(shapes: Record<string, readonly unknown[] | string>): string {
  return Object.entries(shapes).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : `[${v.join(', ')}]`}`).join(', ');
}

/**
 * What the caller passed for one input: its shape when it says one (`{data, shape}`, `{data, dims}`, an
 * onnxruntime Tensor), else its element count (a bare typed array), else undefined (not an input at all: left to
 * the input checks, which name the problem). Reads each field once and never throws.
 */
function givenShape(value: unknown): { dims: readonly number[] } | { length: number } | undefined {
  try {
    if (ArrayBuffer.isView(value) || Array.isArray(value)) return { length: (value as { length: number }).length };
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as { shape?: unknown; dims?: unknown };
    const dims = v.shape ?? v.dims;
    if (Array.isArray(dims) && dims.every((d) => Number.isInteger(d))) return { dims: [...dims] as number[] };
  } catch {
    // a throwing getter: the input checks report it
  }
  return undefined;
}

function product(shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) n *= typeof d === 'number' ? d : NaN;
  return n;
}

/**
 * The index of the graph whose input shapes equal the given inputs' shapes. A bare typed array (no shape) matches
 * by element count, which is ambiguous when two graphs hold as many elements (landscape and portrait do): then the
 * caller must say the shape. When some input is missing or malformed the first graph is returned, so that the
 * input checks report the real problem.
 *
 * @throws QaicError `QAIC_INPUT_SHAPE` listing the allowed shapes next to the passed ones when no graph matches,
 *   or naming the candidates when a bare array matches several
 */
export function pickGraph(inputs: unknown, graphs: ReadonlyArray<{ name: string; inputs: readonly ValueSpec[] }>): number {
  if (typeof inputs !== 'object' || inputs === null || graphs.length < 2) return 0;
  const specs = graphs[0]!.inputs;
  const passed: Record<string, readonly number[] | string> = {};
  const given: Array<{ dims: readonly number[] } | { length: number }> = [];
  for (const spec of specs) {
    let value: unknown;
    try {
      value = Object.hasOwn(inputs, spec.name) ? (inputs as Record<string, unknown>)[spec.name] : undefined;
    } catch {
      return 0;
    }
    const shape = givenShape(value);
    if (shape === undefined) return 0;
    given.push(shape);
    passed[spec.name] = 'dims' in shape ? shape.dims : `${shape.length} elements, no shape`;
  }
  const matches: number[] = [];
  for (let g = 0; g < graphs.length; g++) {
    const graphSpecs = graphs[g]!.inputs;
    let ok = true;
    for (let i = 0; i < specs.length && ok; i++) {
      const spec = graphSpecs.find((s) => s.name === specs[i]!.name);
      const want = spec?.shape;
      const have = given[i]!;
      if (want === null || want === undefined) continue;
      if ('dims' in have) ok = have.dims.length === want.length && want.every((d, k) => typeof d !== 'number' || d === have.dims[k]);
      else ok = product(want) === have.length;
    }
    if (ok) matches.push(g);
  }
  const allowed = allowedShapesOf(graphs).map((a) => `${a.graph} (${formatShapes(a.inputs)})`).join('; ');
  if (matches.length === 0) {
    throw new QaicError('QAIC_INPUT_SHAPE', `no graph of this program takes inputs of these shapes. Passed shapes: ${formatShapes(passed)}. Allowed shapes: ${allowed}`, {
      details: { passed, allowed: allowedShapesOf(graphs) },
    });
  }
  if (matches.length > 1 && given.some((s) => !('dims' in s))) {
    throw new QaicError('QAIC_INPUT_SHAPE', `inputs given as bare typed arrays fit graphs ${matches.map((m) => `'${graphs[m]!.name}'`).join(' and ')} alike (same element count); pass {data, shape} so that the shape picks one. Allowed shapes: ${allowed}`, {
      details: { passed, candidates: matches.map((m) => graphs[m]!.name) },
    });
  }
  return matches[0]!;
}

/** What {@link padToSpecialization} chose and produced. */
export interface PaddedInputs {
  /** the graph picked: the smallest (fewest input elements) whose every input dim is at least the given one */
  graph: string;
  /** the inputs padded to that graph's shapes, as `{data, shape}` (new arrays; the caller's are not changed) */
  inputs: Record<string, InputTensor>;
  /** each input's shape as given, to crop the outputs back */
  original: Record<string, number[]>;
}

/**
 * Pick the smallest specialization that can hold the given inputs and pad them to it, as QEfficient's callers do for
 * sequence lengths (take the first allowed `seq_len` at least the prompt's, pad to it). Every input dim is padded at
 * its end with `value` (default 0) up to the graph's size.
 *
 * Padding changes nothing a model computes for the original positions only when the model ignores the padded ones:
 * - valid: sequence models fed an attention mask that is 0 over the padding (pad `attention_mask` with 0, which
 *   this helper does), per-position models (no mixing across the padded axis);
 * - approximate: convolutional models (text detectors such as PP-OCRv4 det) padded at the bottom/right: outputs
 *   inside the original area are the same except within the receptive field of the border, where zeros take the
 *   place of the image's edge handling; crop the outputs back to the original size;
 * - not valid: models that pool or normalise over a padded axis (global average pooling, softmax over the
 *   sequence without a mask), whose every output changes.
 *
 * @param allowed `session.allowedShapes`
 * @param inputs `{name: {data, shape}}` (a shape is needed: a bare array says nothing of which dims are short)
 * @throws QaicError `QAIC_INPUT_SHAPE` when no specialization holds the inputs (listing them), or an input has no
 *   shape or a rank other than the graphs'; `QAIC_INVALID_ARGUMENT` for a `value` that is not a number
 */
export function padToSpecialization(allowed: readonly AllowedShape[], inputs: Inputs, value = 0): PaddedInputs {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `padToSpecialization(): value must be a finite number, got ${describeValue(value)}`, { details: { argument: 'value' } });
  }
  const original: Record<string, number[]> = {};
  const data: Record<string, TensorData> = {};
  for (const [name, v] of Object.entries(inputs ?? {})) {
    const shape = givenShape(v);
    if (shape === undefined || !('dims' in shape)) {
      throw new QaicError('QAIC_INPUT_SHAPE', `padToSpecialization(): input '${name}' needs a shape ({data, shape}) to be padded`, { details: { input: name } });
    }
    original[name] = [...shape.dims];
    data[name] = (v as InputTensor).data;
  }
  let best: { spec: AllowedShape; size: number } | undefined;
  for (const spec of allowed) {
    let fits = Object.keys(spec.inputs).length === Object.keys(original).length;
    let size = 0;
    for (const [name, want] of Object.entries(spec.inputs)) {
      const have = original[name];
      if (have === undefined || have.length !== want.length || !want.every((d, k) => typeof d === 'number' && d >= have[k]!)) fits = false;
      size += product(want);
    }
    if (fits && (best === undefined || size < best.size)) best = { spec, size };
  }
  if (best === undefined) {
    throw new QaicError('QAIC_INPUT_SHAPE', `padToSpecialization(): no specialization holds inputs of shapes ${formatShapes(original)}. Allowed shapes: ${allowed.map((a) => `${a.graph} (${formatShapes(a.inputs)})`).join('; ')}`, {
      details: { passed: original, allowed },
    });
  }
  const out: Record<string, InputTensor> = {};
  for (const [name, want] of Object.entries(best.spec.inputs)) {
    const target = want as number[];
    out[name] = { data: padded(data[name]!, original[name]!, target, value), shape: target };
  }
  return { graph: best.spec.graph, inputs: out, original };
}

/** Copy `src` (row-major, `from` shape) into a new array of `to` shape filled with `value` elsewhere. */
function padded(src: TensorData, from: readonly number[], to: readonly number[], value: number): TensorData {
  if (Array.isArray(src)) {
    throw new QaicError('QAIC_INPUT_SHAPE', 'padToSpecialization(): string inputs cannot be padded', { details: { argument: 'inputs' } });
  }
  const ctor = src.constructor as new (n: number) => Exclude<TensorData, string[]>;
  const total = product(to);
  const out = new ctor(total);
  if (value !== 0) (out as { fill(v: unknown): void }).fill(out instanceof BigInt64Array || out instanceof BigUint64Array ? BigInt(value) : value);
  // copy row by row along the last axis
  const rank = from.length;
  const last = rank === 0 ? 1 : from[rank - 1]!;
  const rows = rank === 0 ? 1 : product(from.slice(0, -1));
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0; r < rows; r++) {
    let dst = 0;
    for (let k = 0; k < rank - 1; k++) dst = dst * to[k]! + index[k]!;
    dst *= rank === 0 ? 1 : to[rank - 1]!;
    (out as { set(a: ArrayLike<unknown>, o: number): void }).set(src.subarray(r * last, r * last + last) as ArrayLike<unknown>, dst);
    for (let k = rank - 2; k >= 0; k--) {
      if (++index[k]! < from[k]!) break;
      index[k] = 0;
    }
  }
  return out as TensorData;
}

/**
 * Shape specializations: one program holding one network compiled at several shapes (QEfficient's
 * `specializations.json`, the AI Hub's linked landscape/portrait graphs), and a session that sends each run to the
 * graph whose input shapes equal the given ones.
 *
 * This module holds what does not need a session: reading a specializations config, matching inputs to a graph,
 * the allowed-shapes listing and the helper that pads an input up to the smallest specialization that holds it.
 */
import { QaicError, describeValue } from './errors.js';
import { DTYPES, containerCompatible, containerFits, dtypeOfContainer, isDType, type DType, type TensorData } from './dtypes.js';
import { FLOAT16_MAX, toFloat16Bits } from './compiler/fp16/half.js';
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

/** What the caller passed for one input, as far as picking a graph needs it. */
interface GivenInput {
  /** its shape when it says one (`{data, shape}`, `{data, dims}`, an onnxruntime Tensor) */
  dims?: readonly number[];
  /** else its element count (a bare typed array) */
  length?: number;
  /** the dtype it declares (`dtype` of `{data, shape, dtype}`, an onnxruntime Tensor's `type`), if a valid one */
  declared?: DType;
  /** the dtype its container implies (`Float32Array`: float32; `Uint16Array` fits uint16 and float16 alike) */
  container?: DType;
}

/**
 * What the caller passed for one input: its shape when it says one, else its element count, and its dtype as
 * declared or implied by its container; undefined when it is not an input at all (left to the input checks, which
 * name the problem). Reads each field once and never throws.
 */
function givenInput(value: unknown): GivenInput | undefined {
  try {
    if (ArrayBuffer.isView(value) || Array.isArray(value)) return withDType({ length: (value as { length: number }).length }, value, undefined);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as { shape?: unknown; dims?: unknown; data?: unknown; dtype?: unknown; type?: unknown };
    const dims = v.shape ?? v.dims;
    if (Array.isArray(dims) && dims.every((d) => Number.isInteger(d))) return withDType({ dims: [...dims] as number[] }, v.data, v.dtype ?? v.type);
  } catch {
    // a throwing getter: the input checks report it
  }
  return undefined;
}

function withDType(given: GivenInput, data: unknown, declared: unknown): GivenInput {
  if (isDType(declared)) given.declared = declared;
  const container = dtypeOfContainer(data);
  if (container !== undefined) given.container = container;
  return given;
}

/** Whether an input given as `have` can be fed to an input declared `spec` (shape and dtype). */
function fits(spec: ValueSpec | undefined, have: GivenInput): boolean {
  if (spec === undefined) return false;
  if (spec.dtype !== undefined) {
    if (have.declared !== undefined && have.declared !== spec.dtype) return false;
    if (have.declared === undefined && have.container !== undefined && !containerCompatible(spec.dtype, have.container)) return false;
  }
  const want = spec.shape;
  if (want === null) return true;
  if (have.dims !== undefined) return have.dims.length === want.length && want.every((d, k) => typeof d !== 'number' || d === have.dims![k]);
  return product(want) === have.length;
}

/**
 * Whether one input could be fed to graph `a` and graph `b` alike: the same input names, and for each input the
 * same dtype (or one unknown) and shapes that agree wherever both are fixed. Such graphs cannot be told apart by a
 * run's inputs, so a session may not pick between them per run.
 */
function inputsOverlap(a: readonly ValueSpec[], b: readonly ValueSpec[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((sa) => {
    const sb = b.find((s) => s.name === sa.name);
    if (sb === undefined) return false;
    if (sa.dtype !== undefined && sb.dtype !== undefined && sa.dtype !== sb.dtype) return false;
    if (sa.shape === null || sb.shape === null) return true;
    return sa.shape.length === sb.shape.length && sa.shape.every((d, k) => typeof d !== 'number' || typeof sb.shape![k] !== 'number' || d === sb.shape![k]);
  });
}

/** One graph's inputs as `x: float32 [1, 3, 256, 384]`, for messages. */
export function describeGraphInputs(inputs: readonly ValueSpec[]): string {
  return inputs.map((s) => `${s.name}: ${s.dtype ?? 'unsupported'} [${(s.shape ?? []).join(', ')}]`).join(', ');
}

/**
 * The first two graphs whose inputs a run could not tell apart (see {@link inputsOverlap}), or undefined when every
 * pair differs in some input's shape or dtype (so each run's inputs pick at most one graph).
 */
export function overlappingGraphs<G extends { name: string; inputs: readonly ValueSpec[] }>(graphs: readonly G[]): [G, G] | undefined {
  for (let i = 0; i < graphs.length; i++) {
    for (let j = i + 1; j < graphs.length; j++) {
      if (inputsOverlap(graphs[i]!.inputs, graphs[j]!.inputs)) return [graphs[i]!, graphs[j]!];
    }
  }
  return undefined;
}

function product(shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) n *= typeof d === 'number' ? d : NaN;
  return n;
}

/**
 * The index of the graph whose inputs take the given inputs: equal shapes, and the dtype each input declares (or
 * its container implies). A bare typed array (no shape) matches by element count, which is ambiguous when two
 * graphs hold as many elements (landscape and portrait do), and a container that fits two dtypes (`Uint16Array`:
 * uint16 or float16) is ambiguous between graphs that differ only there: then the caller must say the shape or the
 * dtype. When some input is missing or malformed the first graph is returned, so that the input checks report the
 * real problem.
 *
 * @throws QaicError `QAIC_INPUT_SHAPE` listing the allowed shapes next to the passed ones when no graph matches,
 *   or naming the candidates when the inputs fit several
 */
export function pickGraph(inputs: unknown, graphs: ReadonlyArray<{ name: string; inputs: readonly ValueSpec[] }>): number {
  if (typeof inputs !== 'object' || inputs === null || graphs.length < 2) return 0;
  const specs = graphs[0]!.inputs;
  const passed: Record<string, readonly number[] | string> = {};
  const given: GivenInput[] = [];
  for (const spec of specs) {
    let value: unknown;
    try {
      value = Object.hasOwn(inputs, spec.name) ? (inputs as Record<string, unknown>)[spec.name] : undefined;
    } catch {
      return 0;
    }
    const have = givenInput(value);
    if (have === undefined) return 0;
    given.push(have);
    passed[spec.name] = have.dims ?? `${have.length} elements, no shape`;
  }
  const matches: number[] = [];
  for (let g = 0; g < graphs.length; g++) {
    const graphSpecs = graphs[g]!.inputs;
    if (specs.every((spec, i) => fits(graphSpecs.find((s) => s.name === spec.name), given[i]!))) matches.push(g);
  }
  if (matches.length === 1) return matches[0]!;
  const allowed = allowedShapesOf(graphs).map((a) => `${a.graph} (${formatShapes(a.inputs)})`).join('; ');
  const dtypes = specs.map((spec, i) => `${spec.name}: ${given[i]!.declared ?? given[i]!.container ?? 'unknown'}`).join(', ');
  if (matches.length === 0) {
    // say when the shapes fit some graph and only the dtypes did not: the shapes alone would mislead
    const byShape = graphs.filter((g) => specs.every((spec, i) => fits({ ...g.inputs.find((s) => s.name === spec.name)!, dtype: undefined }, given[i]!)));
    const dtypeNote = byShape.length === 0 ? '' : ` The shapes fit graph(s) ${byShape.map((g) => `'${g.name}' (${describeGraphInputs(g.inputs)})`).join(', ')}, but the passed dtypes (${dtypes}) do not.`;
    throw new QaicError('QAIC_INPUT_SHAPE', `no graph of this program takes inputs of these shapes and dtypes. Passed shapes: ${formatShapes(passed)} (dtypes ${dtypes}). Allowed shapes: ${allowed}.${dtypeNote}`, {
      details: { passed, dtypes: Object.fromEntries(specs.map((spec, i) => [spec.name, given[i]!.declared ?? given[i]!.container ?? null])), allowed: allowedShapesOf(graphs) },
    });
  }
  const candidates = matches.map((m) => `'${graphs[m]!.name}'`).join(' and ');
  const hint = given.some((s) => s.dims === undefined)
    ? 'inputs given as bare typed arrays fit graphs ' + candidates + ' alike (same element count); pass {data, shape} so that the shape picks one'
    : `inputs of dtypes ${dtypes} fit graphs ${candidates} alike (their containers fit both graphs' dtypes); pass {data, shape, dtype} so that the dtype picks one`;
  throw new QaicError('QAIC_INPUT_SHAPE', `${hint}. Allowed shapes: ${allowed}`, {
    details: { passed, candidates: matches.map((m) => graphs[m]!.name) },
  });
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

/** Options of {@link padToSpecialization}. */
export interface PadOptions {
  /**
   * Input name → the dtype its values are, for inputs that do not say it themselves (`dtype` of `{data, shape,
   * dtype}`, an onnxruntime Tensor's `type`). It matters where one container holds two dtypes: a `Uint16Array`
   * holds uint16 values or float16 bits, a `Uint8Array` uint8 or bool. `session.padToSpecialization` passes the
   * model's. Absent: the container's own reading (uint16, uint8).
   */
  dtypes?: Readonly<Record<string, DType>>;
}

/** Most elements one padded input may have (1 GiB of float32): a larger target is refused, not allocated. */
export const MAX_PAD_ELEMENTS = 2 ** 28;

/** Range of the pad value each integer container can hold (float containers take any finite number). */
const INTEGER_RANGE: ReadonlyArray<[Function, number, number]> = [
  [Int8Array, -(2 ** 7), 2 ** 7 - 1], [Uint8Array, 0, 2 ** 8 - 1], [Uint8ClampedArray, 0, 2 ** 8 - 1],
  [Int16Array, -(2 ** 15), 2 ** 15 - 1], [Uint16Array, 0, 2 ** 16 - 1],
  [Int32Array, -(2 ** 31), 2 ** 31 - 1], [Uint32Array, 0, 2 ** 32 - 1],
  [BigInt64Array, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], [BigUint64Array, 0, Number.MAX_SAFE_INTEGER],
];

function padError(code: 'QAIC_INPUT_SHAPE' | 'QAIC_INPUT_DTYPE' | 'QAIC_INVALID_ARGUMENT', input: string | undefined, message: string, details: Record<string, unknown> = {}): QaicError {
  return new QaicError(code, `padToSpecialization(): ${message}`, { details: input === undefined ? details : { input, ...details } });
}

/**
 * One input to pad, read once and checked: a shape of non-negative integers, a typed array in `data` with as many
 * elements as the shape says, the dtype it holds (declared, else `hint`, else its container's) and a pad value
 * that dtype can hold.
 *
 * @throws QaicError `QAIC_INPUT_SHAPE` (no shape, a bad dim, a length that disagrees), `QAIC_INPUT_DTYPE` (no typed
 *   array in `data`, a dtype that is unknown, that `data` cannot hold, or that disagrees with `hint`),
 *   `QAIC_INVALID_ARGUMENT` (a pad value the dtype cannot hold)
 */
function readPadInput(name: string, value: unknown, pad: number, hint: unknown): { dims: number[]; data: Exclude<TensorData, string[]>; dtype: DType | undefined } {
  let shape: unknown;
  let data: unknown;
  let declared: unknown;
  try {
    if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value)) {
      const v = value as { shape?: unknown; dims?: unknown; data?: unknown; dtype?: unknown; type?: unknown };
      shape = v.shape ?? v.dims;
      data = v.data;
      declared = v.dtype ?? v.type;
    }
  } catch (error) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `padToSpecialization(): input '${name}' threw when read: ${(error as Error)?.message ?? String(error)}`, { cause: error, details: { input: name } });
  }
  if (!Array.isArray(shape)) {
    throw padError('QAIC_INPUT_SHAPE', name, `input '${name}' needs a shape ({data, shape}) to be padded, got ${describeValue(value)}`);
  }
  const dims = Array.from(shape as unknown[]);
  for (let k = 0; k < dims.length; k++) {
    const d = dims[k];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw padError('QAIC_INPUT_SHAPE', name, `input '${name}' has dimension ${k} = ${describeValue(d)}; expected a non-negative integer number`, { dim: k });
    }
  }
  if (Array.isArray(data) && data.length > 0 && data.every((e) => typeof e === 'string')) throw padError('QAIC_INPUT_DTYPE', name, `input '${name}' holds strings, which cannot be padded`);
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw padError('QAIC_INPUT_DTYPE', name, `input '${name}' has no values to pad: expected a typed array in 'data', got ${describeValue(data)}`);
  }
  const typed = data as Exclude<TensorData, string[]>;
  const count = product(dims);
  if (typed.length !== count) {
    throw padError('QAIC_INPUT_SHAPE', name, `input '${name}' has ${typed.length} elements, but shape [${dims.join(', ')}] needs ${Number.isSafeInteger(count) ? count : 'more than 2^53'}`, { expected: count, given: typed.length });
  }
  const dtype = padDType(name, typed, declared, hint);
  if (dtype === 'float16') {
    // stored as its float16 bits: the Uint16Array's integer range says nothing of what float16 can hold
    if (Math.abs(pad) > FLOAT16_MAX) {
      throw padError('QAIC_INVALID_ARGUMENT', name, `value ${pad} cannot be stored in float16 input '${name}'; expected a number from -${FLOAT16_MAX} to ${FLOAT16_MAX}`, { argument: 'value' });
    }
  } else if (dtype === 'bool') {
    if (pad !== 0 && pad !== 1) throw padError('QAIC_INVALID_ARGUMENT', name, `value ${pad} cannot be stored in bool input '${name}'; expected 0 or 1`, { argument: 'value' });
  } else {
    const range = INTEGER_RANGE.find(([ctor]) => typed instanceof ctor);
    if (range !== undefined && !(Number.isInteger(pad) && pad >= range[1] && pad <= range[2])) {
      throw padError('QAIC_INVALID_ARGUMENT', name, `value ${pad} cannot be stored in input '${name}' (${typed.constructor.name}); expected an integer from ${range[1]} to ${range[2]}`, { argument: 'value' });
    }
  }
  return { dims: dims as number[], data: typed, dtype };
}

/**
 * The dtype an input to pad holds: the one it declares, else `hint` (from {@link PadOptions.dtypes}), each checked
 * against its container; `undefined` when neither says (the container's own reading applies).
 */
function padDType(name: string, data: Exclude<TensorData, string[]>, declared: unknown, hint: unknown): DType | undefined {
  for (const [given, where] of [[declared, 'its dtype'], [hint, `options.dtypes['${name}']`]] as const) {
    if (given === undefined) continue;
    if (!isDType(given)) throw padError('QAIC_INPUT_DTYPE', name, `input '${name}': ${where} is ${describeValue(given)}; expected one of ${DTYPES.join(', ')}`, { given });
    if (!containerFits(given, data)) {
      throw padError('QAIC_INPUT_DTYPE', name, `input '${name}' is a ${data.constructor.name}, which cannot hold ${where} '${given}'`, { expected: given, given: data.constructor.name });
    }
  }
  if (declared !== undefined && hint !== undefined && declared !== hint) {
    throw padError('QAIC_INPUT_DTYPE', name, `input '${name}' declares dtype '${String(declared)}' but options.dtypes gives '${String(hint)}'`, { expected: hint, given: declared });
  }
  return (declared ?? hint) as DType | undefined;
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
 * @param value the pad value (default 0), as a number of each input's dtype: it must fit every input (an integer in
 *   range for integer and BigInt arrays, 0 or 1 for bool, at most 65504 in magnitude for float16). A float16 input
 *   (a `Uint16Array` of float16 bits) gets the float16 bits of `value`, not `value` as raw bits, but only when its
 *   dtype is known: declared by the input (`{data, shape, dtype: 'float16'}`, an onnxruntime Tensor's `type`) or
 *   given in `options.dtypes`; otherwise a `Uint16Array` is read as uint16 (`-1` then is refused, `1` is stored as the
 *   bits 0x0001)
 * @param options `dtypes`: the dtype of inputs that do not declare one (see {@link PadOptions})
 * @throws QaicError `QAIC_INPUT_SHAPE` when no specialization holds the inputs (listing them), an input has no
 *   shape, a dim that is not a non-negative integer, fewer or more elements than its shape, a rank other than the
 *   graphs', or would be padded to more than {@link MAX_PAD_ELEMENTS} elements; `QAIC_INPUT_DTYPE` for an input
 *   without a typed array in `data` (or with strings), or whose dtype (declared or in `options.dtypes`) is unknown,
 *   does not fit its container, or disagrees between the two; `QAIC_INVALID_ARGUMENT` for a `value` that is not a
 *   finite number or does not fit an input's dtype, for malformed `allowed`, `inputs` or `options`, or inputs that
 *   throw when read
 */
export function padToSpecialization(allowed: readonly AllowedShape[], inputs: Inputs, value = 0, options: PadOptions = {}): PaddedInputs {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `padToSpecialization(): value must be a finite number, got ${describeValue(value)}`, { details: { argument: 'value' } });
  }
  if (!Array.isArray(allowed as unknown)) {
    throw padError('QAIC_INVALID_ARGUMENT', undefined, `'allowed' must be a list of allowed shapes (session.allowedShapes), got ${describeValue(allowed)}`, { argument: 'allowed' });
  }
  let entries: Array<[string, unknown]>;
  try {
    entries = typeof inputs === 'object' && inputs !== null ? Object.entries(inputs) : [];
  } catch (error) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `padToSpecialization(): the inputs threw when read: ${(error as Error)?.message ?? String(error)}`, { cause: error, details: { argument: 'inputs' } });
  }
  if (typeof inputs !== 'object' || inputs === null) {
    throw padError('QAIC_INVALID_ARGUMENT', undefined, `'inputs' must be an object of {name: {data, shape}}, got ${describeValue(inputs)}`, { argument: 'inputs' });
  }
  const hints = padHints(options);
  const original: Record<string, number[]> = {};
  const data: Record<string, Exclude<TensorData, string[]>> = {};
  const dtypes: Record<string, DType | undefined> = {};
  for (const [name, v] of entries) {
    const input = readPadInput(name, v, value, Object.hasOwn(hints, name) ? hints[name] : undefined);
    original[name] = input.dims;
    data[name] = input.data;
    dtypes[name] = input.dtype;
  }
  let best: { spec: AllowedShape; size: number } | undefined;
  for (const spec of allowed) {
    let fits = Object.keys(spec.inputs).length === Object.keys(original).length;
    let size = 0;
    for (const [name, want] of Object.entries(spec.inputs)) {
      const bad = want.find((d) => typeof d === 'number' && !(Number.isSafeInteger(d) && d >= 0));
      if (bad !== undefined) {
        throw padError('QAIC_INVALID_ARGUMENT', name, `allowed shape '${spec.graph}' gives input '${name}' the dimension ${describeValue(bad)}; expected non-negative integers`, { argument: 'allowed', graph: spec.graph });
      }
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
    const elements = product(target);
    if (elements > MAX_PAD_ELEMENTS) {
      throw padError('QAIC_INPUT_SHAPE', name, `padding input '${name}' to graph '${best.spec.graph}' shape [${target.join(', ')}] would allocate ${Number.isSafeInteger(elements) ? elements : 'more than 2^53'} elements; at most ${MAX_PAD_ELEMENTS} are allowed`, { graph: best.spec.graph, expected: MAX_PAD_ELEMENTS, given: elements });
    }
    const dtype = dtypes[name];
    // a float16 input is filled with the bits of the value; its dtype goes along so run() reads them as float16
    const fill = dtype === 'float16' ? toFloat16Bits(value) : value;
    const input: InputTensor = { data: padded(data[name]!, original[name]!, target, fill), shape: target };
    if (dtype !== undefined) input.dtype = dtype;
    out[name] = input;
  }
  return { graph: best.spec.graph, inputs: out, original };
}

/** `options.dtypes` of {@link padToSpecialization}, checked to be an object (its entries are checked per input). */
function padHints(options: unknown): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw padError('QAIC_INVALID_ARGUMENT', undefined, `'options' must be an object ({ dtypes }), got ${describeValue(options)}`, { argument: 'options' });
  }
  try {
    const dtypes = (options as PadOptions).dtypes as unknown;
    if (dtypes === undefined) return {};
    if (typeof dtypes !== 'object' || dtypes === null || Array.isArray(dtypes)) {
      throw padError('QAIC_INVALID_ARGUMENT', undefined, `'options.dtypes' must be an object of {input: dtype}, got ${describeValue(dtypes)}`, { argument: 'options.dtypes' });
    }
    // read once, into a plain object: a getter cannot answer differently later
    return Object.fromEntries(Object.entries(dtypes));
  } catch (error) {
    if (error instanceof QaicError) throw error;
    throw new QaicError('QAIC_INVALID_ARGUMENT', `padToSpecialization(): the options threw when read: ${(error as Error)?.message ?? String(error)}`, { cause: error, details: { argument: 'options' } });
  }
}

/** Copy `src` (row-major, `from` shape, checked by {@link readPadInput}) into a new array of `to` shape filled with `value` elsewhere. */
function padded(src: Exclude<TensorData, string[]>, from: readonly number[], to: readonly number[], value: number): TensorData {
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

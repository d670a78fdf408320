/**
 * Calibration (the SDK's profiling step): run the float32 model on representative inputs and record, for every
 * float activation, its min, max and a histogram, as a {@link QuantizationProfile}.
 *
 * The model is read, its symbolic dims fixed (`onnx_define_symbol`, `batchsize`, exactly as compiling will fix
 * them, so that the tensors and their names are those the int8 pass sees), and every float activation is made a
 * graph output. That copy runs, uncompiled, on a Session of `num_activations` parallel activations; the outputs of
 * each run are folded into the histograms on the caller's thread as they arrive. Inputs may come from a one-shot
 * async iterable: they are read once, in order, with as many runs in flight as there are activations, and copied
 * (the caller's typed arrays stay usable, unlike `run()`'s default transfer).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QaicError, describeValue } from '../../errors.js';
import { readRegularFile } from '../../files.js';
import { decodeModel, encodeModel } from '../../onnx/model.js';
import { OnnxDataType, type ModelProto } from '../../onnx/schema.js';
import type { Inputs } from '../../tensor.js';
import { fixDims } from '../fix-dims.js';
import { inferElementTypes } from '../fp16/types.js';
import { addValues, emptyHistogram } from './histogram.js';
import { writeProfile, type ProfileTensor, type QuantizationProfile } from './profile.js';

/** Settings of {@link calibrate}. */
export interface CalibrateOptions {
  /** symbol sizes, as for compiling (`onnx_define_symbol`) */
  onnx_define_symbol?: Readonly<Record<string, number>>;
  /** batch size, as for compiling (`batchsize`) */
  batchsize?: number;
  /** histogram bins per tensor (`num_histogram_bins`; the SDK's default 512) */
  num_histogram_bins?: number;
  /** parallel activations running the model (default 1) */
  num_activations?: number;
  /**
   * where those activations run (`isolation`, default `'thread'`): with `'process'` a fault inside onnxruntime while
   * calibrating (SIGFPE, SIGABRT) is a typed error instead of the end of this process, as when compiling
   */
  isolation?: 'thread' | 'process';
  /** where to write the profile (`dump_profile`); nothing is written when absent */
  dump_profile?: string;
  /** stop after this many input sets (default: all the iterable gives) */
  max_inputs?: number;
}

/**
 * SHA-256 (hex) of one input set: each input's name and value bytes, in name order. Two sets with the same values
 * have the same digest whatever form they were given in (typed array, `{data, shape}` or onnxruntime Tensor).
 */
export function inputSetDigest(inputs: Inputs): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(inputs).sort()) {
    const value = inputs[name] as unknown;
    const data = ArrayBuffer.isView(value) || Array.isArray(value) ? value : (value as { data?: unknown } | null)?.data;
    hash.update(`${name}\0`);
    if (ArrayBuffer.isView(data)) hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else hash.update(JSON.stringify(Array.isArray(data) ? data : null));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The largest model file calibration reads: 2 GiB, onnxruntime's protobuf limit. */
const MAX_MODEL_BYTES = 2 * 2 ** 30;

/** Float activations of a model with fixed dims: node outputs and graph inputs of type float32, not constants. */
export function calibrationTensors(model: ModelProto): string[] {
  const graph = model.graph ?? {};
  const types = inferElementTypes(graph);
  const constant = new Set<string>((graph.initializer ?? []).map((t) => t.name ?? ''));
  for (const n of graph.node ?? []) if (n.op_type === 'Constant') for (const y of n.output ?? []) constant.add(y);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (name: string | undefined) => {
    if (!name || seen.has(name) || constant.has(name) || types.get(name) !== OnnxDataType.FLOAT) return;
    seen.add(name);
    out.push(name);
  };
  for (const i of graph.input ?? []) add(i.name);
  for (const n of graph.node ?? []) for (const y of n.output ?? []) add(y);
  return out;
}

function positiveInt(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new QaicError('QAIC_INVALID_OPTION', `option '${option}': expected a positive integer, got ${describeValue(value)}`, { details: { option, given: value } });
  }
  return value as number;
}

/**
 * Calibrate `modelPath` on `inputs` (an iterable or async iterable of input dicts, as `Session.run` takes them).
 * @returns the profile (also written to `dump_profile` when given)
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when `inputs` is not iterable or yields nothing; the Session's input
 *   errors (`QAIC_INPUT_SHAPE`, `QAIC_INPUT_DTYPE`, ...) naming the input set that failed; `QAIC_INVALID_OPTION`.
 */
export async function calibrate(modelPath: string, inputs: Iterable<Inputs> | AsyncIterable<Inputs>, options: CalibrateOptions = {}): Promise<QuantizationProfile> {
  const iterator = (inputs as AsyncIterable<Inputs>)?.[Symbol.asyncIterator]?.() ?? (inputs as Iterable<Inputs>)?.[Symbol.iterator]?.();
  if (iterator === undefined || typeof iterator.next !== 'function') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `calibrate() expected the calibration inputs as an iterable or async iterable of input dicts, got ${describeValue(inputs)}`);
  }
  const bins = positiveInt(options.num_histogram_bins, 'num_histogram_bins', 512);
  if (bins < 2) throw new QaicError('QAIC_INVALID_OPTION', `option 'num_histogram_bins': expected at least 2, got ${bins}`, { details: { option: 'num_histogram_bins', given: bins } });
  const activations = positiveInt(options.num_activations, 'num_activations', 1);
  const maxInputs = positiveInt(options.max_inputs, 'max_inputs', Number.MAX_SAFE_INTEGER);
  const symbols = { ...(options.onnx_define_symbol ?? {}) };
  const bytes = await readRegularFile(modelPath, { what: 'model file', maxBytes: MAX_MODEL_BYTES });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const model = decodeModel(bytes, `'${modelPath}'`);
  fixDims(model, symbols, options.batchsize, `'${modelPath}'`);
  const names = calibrationTensors(model);
  const graph = model.graph!;
  const declared = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of names) {
    if (!declared.has(name)) graph.output = [...(graph.output ?? []), { name, type: { tensor_type: { elem_type: OnnxDataType.FLOAT } } }];
  }
  const dir = mkdtempSync(join(tmpdir(), 'qaic-calibrate-'));
  const histograms = new Map<string, ProfileTensor>(names.map((name) => [name, { name, ...emptyHistogram(bins) }]));
  let count = 0;
  const digests: string[] = [];
  try {
    const file = join(dir, 'calibration.onnx');
    writeFileSync(file, encodeModel(model));
    const { Session } = await import('../../session.js');
    const session = new Session(file, { compile: false, num_activations: activations, aic_num_cores: 1, set_size: 1, allow_oversubscription: true, copy_inputs: true, isolation: options.isolation ?? 'thread' });
    try {
      await session.setup();
      const inFlight = new Set<Promise<void>>();
      let failure: unknown;
      const record = (out: Record<string, { data: unknown }>) => {
        for (const [name, h] of histograms) {
          const t = out[name];
          if (t !== undefined && t.data instanceof Float32Array) addValues(h, t.data);
        }
      };
      while (count < maxInputs && failure === undefined) {
        const next = await iterator.next();
        if (next.done === true) break;
        const index = count++;
        // a set that is not an object fails in run() with a typed error; it has no digest
        if (typeof next.value === 'object' && next.value !== null) digests.push(inputSetDigest(next.value));
        const p: Promise<void> = session.run(next.value).then(record, (error: unknown) => {
          failure ??= Object.assign(error as object, { message: `calibration input set ${index}: ${(error as Error).message}` });
        }).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= activations) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
    } finally {
      await session.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (count === 0) throw new QaicError('QAIC_INVALID_ARGUMENT', 'calibrate() was given no calibration inputs: the iterable yielded nothing');
  const profile: QuantizationProfile = { model: { sha256, symbols, batchsize: options.batchsize ?? null }, bins, calibrationInputs: count, inputDigests: digests, tensors: histograms };
  if (options.dump_profile !== undefined) writeProfile(options.dump_profile, profile);
  return profile;
}

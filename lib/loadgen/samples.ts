/**
 * The performance samples a scenario cycles through: input sets the caller gave, or random ones. Each query gets a
 * fresh copy when `run()` would take its input buffers over (detach them: `run()`'s default on both engines); a
 * Session lends them instead (`_runLent`: the native activation copies them into onnxruntime's memory when it takes
 * the request, the worker engine copies them for the worker), as does `copy_inputs: true`, and then the samples are
 * handed out as they are, so the issue path allocates nothing on V8's heap per query.
 */
import { QaicError, describeValue } from '../errors.js';
import type { TensorData } from '../dtypes.js';
import type { Dim } from '../onnx/model.js';
import { randomData } from '../metrics/random-inputs.js';
import { seededUniform } from './schedule.js';
import type { InputValue, Inputs } from '../tensor.js';
import { isDType } from '../dtypes.js';

function copyData(data: TensorData): TensorData {
  return data.slice() as TensorData;
}

function copyValue(v: InputValue): InputValue {
  if (ArrayBuffer.isView(v)) return copyData(v as unknown as TensorData) as unknown as InputValue;
  const o = v as unknown as { data: TensorData; shape?: readonly number[]; dims?: readonly number[]; type?: string; dtype?: string };
  // onnxruntime Tensors keep `data` on a getter: rebuild them as plain {data, shape} objects
  if (o.dims !== undefined && o.type !== undefined) return { data: copyData(o.data), shape: [...o.dims] } as unknown as InputValue;
  return { ...o, data: copyData(o.data) } as unknown as InputValue;
}

/** A fresh copy of one input set (every buffer duplicated), ready to be transferred by `run()`. */
export function copyInputs(inputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [name, v] of Object.entries(inputs)) out[name] = copyValue(v);
  return out;
}

/**
 * `count` distinct random input sets for the model's inputs (each from its own seed), as `randomInputs()` makes
 * one.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when an input's shape is not fixed or its dtype cannot be fed
 */
export function randomInputSets(shapes: Record<string, [Dim[], string]>, count: number): Inputs[] {
  return Array.from({ length: count }, (_, k) => {
    const random = seededUniform(k + 1);
    const out: Inputs = {};
    for (const [name, [shape, dtype]] of Object.entries(shapes)) {
      const unknown = shape.find((d) => typeof d !== 'number');
      if (!isDType(dtype) || unknown !== undefined) {
        throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot make random data for input '${name}' (${!isDType(dtype) ? `element type ${dtype}` : `dimension ${describeValue(unknown)} is not fixed: set it with onnx_define_symbol`}); pass inputs explicitly`, {
          details: { input: name },
        });
      }
      const dims = shape as number[];
      out[name] = { data: randomData(dtype, dims.reduce((a, b) => a * b, 1), random), shape: dims };
    }
    return out;
  });
}

/** Cycles through the sample sets in query order, handing out one fresh copy per sample, or the sample itself. */
export class SampleCycle {
  readonly #sets: readonly Inputs[];
  readonly #copy: boolean;
  #next = 0;
  #ready: Inputs | undefined;

  /**
   * @param sets the distinct input sets (at least one)
   * @param copy hand out a fresh copy per query (`run()` detaches its inputs); false hands out the sets themselves,
   *   for a `run()` that copies its inputs and leaves the caller's buffers alone
   */
  constructor(sets: readonly Inputs[], copy = true) {
    this.#sets = sets;
    this.#copy = copy;
  }

  /** Whether each query gets a fresh copy (see the constructor). */
  get copies(): boolean {
    return this.#copy;
  }

  /** Make the next copy now, so that {@link take} costs nothing when the query is due. */
  prepare(): void {
    if (this.#ready !== undefined) return;
    const set = this.#sets[this.#next++ % this.#sets.length]!;
    this.#ready = this.#copy ? copyInputs(set) : set;
  }

  /** The next sample's inputs (a copy the caller may transfer, or the sample itself; see the constructor). */
  take(): Inputs {
    this.prepare();
    const out = this.#ready!;
    this.#ready = undefined;
    return out;
  }
}

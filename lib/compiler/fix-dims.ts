/**
 * The fix-dims pass: symbolic dimensions become fixed sizes, as a model rewrite.
 *
 * onnxruntime-node ignores `freeDimensionOverrides`, so fixing a dimension means writing `dim_value` where the model
 * has `dim_param`, in the graph's inputs, outputs and value_info. Everything else in the model is left as decoded
 * (the codec keeps unknown fields), so the pass is lossless for what it does not touch.
 */
import { QaicError } from '../errors.js';
import type { ModelProto, TensorShapeDimension, ValueInfoProto } from '../onnx/schema.js';
import { graphInputs } from '../onnx/model.js';

/** What fix-dims did, for the compile report. */
export interface FixDimsResult {
  /** symbols given a value, with the value and how many dims it fixed */
  fixed: Array<{
    /** the `dim_param` name, e.g. `'N'` */
    symbol: string;
    /** the size it was fixed to */
    value: number;
    /** how many dims of inputs, outputs and value_info carried the symbol and were rewritten */
    dims: number;
    /** which option gave the value: `onnx_define_symbol`, or `batchsize` for the first dim of the inputs */
    from: 'onnx_define_symbol' | 'batchsize';
  }>;
  /** inputs whose anonymous first dimension was fixed by the batch size */
  batchFixedInputs: string[];
  /** dims of inputs and outputs still symbolic or anonymous after the pass */
  leftSymbolic: Array<{
    /** name of the graph input or output */
    value: string;
    /** whether `value` is a graph input or output */
    kind: 'input' | 'output';
    /** 0-based axis of the dimension */
    axis: number;
    /** its `dim_param`, or null for an anonymous dimension */
    symbol: string | null;
  }>;
}

function dimsOf(info: ValueInfoProto): TensorShapeDimension[] {
  return info.type?.tensor_type?.shape?.dim ?? [];
}

/** Every symbol a model's main graph uses in inputs, outputs and value_info, in first-seen order. */
export function allSymbols(model: ModelProto): string[] {
  const g = model.graph ?? {};
  const seen = new Set<string>();
  for (const info of [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]) {
    for (const d of dimsOf(info)) if (d.dim_value === undefined && d.dim_param !== undefined && d.dim_param !== '') seen.add(d.dim_param);
  }
  return [...seen];
}

/**
 * Fix symbolic dims of `model` in place.
 *
 * `symbols` maps symbol names to sizes (the resolved `onnx_define_symbol`). `batchSize`, when given, fixes the first
 * dimension of every input whose first dimension is symbolic: a named first dim binds its symbol everywhere (so
 * outputs follow), an anonymous one is fixed on that input only.
 *
 * @throws QaicError `QAIC_UNKNOWN_SYMBOL` naming the model's symbols when `symbols` names one the model lacks;
 *   `QAIC_INVALID_OPTION` when `batchsize` and `onnx_define_symbol` give the batch symbol different values.
 */
export function fixDims(model: ModelProto, symbols: Readonly<Record<string, number>>, batchSize: number | undefined, source: string): FixDimsResult {
  const g = model.graph ?? {};
  const known = allSymbols(model);
  for (const name of Object.keys(symbols)) {
    if (!known.includes(name)) {
      throw new QaicError('QAIC_UNKNOWN_SYMBOL',
        `onnx_define_symbol names '${name}', but ${source} has ${known.length === 0 ? 'no symbolic dimensions' : `the symbols ${known.map((s) => `'${s}'`).join(', ')}`}`,
        { details: { option: 'onnx_define_symbol', symbol: name, modelSymbols: known, file: source } });
    }
  }
  const values = new Map<string, { value: number; from: 'onnx_define_symbol' | 'batchsize' }>();
  for (const [name, value] of Object.entries(symbols)) values.set(name, { value, from: 'onnx_define_symbol' });
  const batchFixedInputs: string[] = [];
  const inputs = graphInputs(g);
  if (batchSize !== undefined) {
    for (const input of inputs) {
      const first = dimsOf(input)[0];
      if (first === undefined || first.dim_value !== undefined) continue;
      const symbol = first.dim_param;
      if (symbol === undefined || symbol === '') {
        first.dim_value = batchSize;
        batchFixedInputs.push(input.name ?? '');
        continue;
      }
      const earlier = values.get(symbol);
      if (earlier !== undefined && earlier.value !== batchSize) {
        throw new QaicError('QAIC_INVALID_OPTION',
          `batchsize ${batchSize} fixes the first dimension '${symbol}' of input '${input.name ?? ''}', but onnx_define_symbol gives '${symbol}' the value ${earlier.value}; give one value`,
          { details: { option: 'batchsize', symbol, batchsize: batchSize, defined: earlier.value } });
      }
      if (earlier === undefined) values.set(symbol, { value: batchSize, from: 'batchsize' });
    }
  }
  const counts = new Map<string, number>();
  for (const info of [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]) {
    for (const d of dimsOf(info)) {
      if (d.dim_value !== undefined || d.dim_param === undefined) continue;
      const v = values.get(d.dim_param);
      if (v === undefined) continue;
      counts.set(d.dim_param, (counts.get(d.dim_param) ?? 0) + 1);
      d.dim_value = v.value;
      delete d.dim_param;
    }
  }
  const leftSymbolic: FixDimsResult['leftSymbolic'] = [];
  const collect = (infos: ValueInfoProto[], kind: 'input' | 'output'): void => {
    for (const info of infos) {
      dimsOf(info).forEach((d, axis) => {
        if (d.dim_value === undefined) leftSymbolic.push({ value: info.name ?? '', kind, axis, symbol: d.dim_param !== undefined && d.dim_param !== '' ? d.dim_param : null });
      });
    }
  };
  collect(inputs, 'input');
  collect(g.output ?? [], 'output');
  return {
    fixed: [...values].map(([symbol, v]) => ({ symbol, value: v.value, dims: counts.get(symbol) ?? 0, from: v.from })),
    batchFixedInputs,
    leftSymbolic,
  };
}

/**
 * A small ONNX writer: build graphs and models in code. Used by the tests (tiny models of every dtype, symbolic
 * dims, models built to fail) and by the compiler when it adds nodes.
 */
import type { DType, TensorData } from '../dtypes.js';
import { onnxFromDType } from '../dtypes.js';
import { makeTensorProto, type Dim } from './model.js';
import {
  AttributeType,
  type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from './schema.js';

/** A tensor-typed graph input or output. `shape` null means "no shape declared". */
export function tensorInfo(name: string, dtype: DType, shape: readonly Dim[] | null): ValueInfoProto {
  const tensor_type: NonNullable<NonNullable<ValueInfoProto['type']>['tensor_type']> = { elem_type: onnxFromDType(dtype) };
  if (shape !== null) {
    tensor_type.shape = {
      dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
    };
  }
  return { name, type: { tensor_type } };
}

/**
 * An attribute value for {@link node}: exactly one of the AttributeProto value fields. The attribute's `type` is
 * set from which field is given; strings are given as JavaScript strings and encoded as UTF-8.
 */
export type AttributeValue =
  | {
    /** A FLOAT attribute. */
    f: number;
  }
  | {
    /** An INT attribute. */
    i: number | bigint;
  }
  | {
    /** A STRING attribute (encoded as UTF-8). */
    s: string;
  }
  | {
    /** A TENSOR attribute. */
    t: TensorProto;
  }
  | {
    /** A GRAPH attribute (e.g. a branch of `If`). */
    g: GraphProto;
  }
  | {
    /** A FLOATS attribute. */
    floats: number[];
  }
  | {
    /** An INTS attribute. */
    ints: (number | bigint)[];
  }
  | {
    /** A STRINGS attribute (each encoded as UTF-8). */
    strings: string[];
  };

function attribute(name: string, value: AttributeValue): AttributeProto {
  const encoder = new TextEncoder();
  if ('f' in value) return { name, type: AttributeType.FLOAT, f: value.f };
  if ('i' in value) return { name, type: AttributeType.INT, i: value.i };
  if ('s' in value) return { name, type: AttributeType.STRING, s: encoder.encode(value.s) };
  if ('t' in value) return { name, type: AttributeType.TENSOR, t: value.t };
  if ('g' in value) return { name, type: AttributeType.GRAPH, g: value.g };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) };
}

/** A node. `attributes` maps attribute names to values such as `{ i: 1 }` or `{ floats: [0.5] }`. */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Record<string, AttributeValue> = {},
  options: { name?: string; domain?: string } = {},
): NodeProto {
  const out: NodeProto = { input: inputs, output: outputs, op_type: opType };
  if (options.name !== undefined) out.name = options.name;
  if (options.domain !== undefined) out.domain = options.domain;
  const attrs = Object.entries(attributes).map(([n, v]) => attribute(n, v));
  if (attrs.length > 0) out.attribute = attrs;
  return out;
}

/** An initializer (constant tensor) with the given values. */
export function initializer(name: string, dtype: DType, dims: readonly number[], data: TensorData): TensorProto {
  return makeTensorProto(name, dtype, dims, data);
}

/** A graph. */
export function graph(parts: {
  name?: string;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
}): GraphProto {
  const g: GraphProto = {
    name: parts.name ?? 'graph',
    node: parts.nodes,
    input: parts.inputs,
    output: parts.outputs,
  };
  if (parts.initializers !== undefined && parts.initializers.length > 0) g.initializer = parts.initializers;
  if (parts.valueInfo !== undefined && parts.valueInfo.length > 0) g.value_info = parts.valueInfo;
  return g;
}

/** A model around a graph. Defaults: opset 17 of the default domain, IR version 8. */
export function model(g: GraphProto, options: { opset?: number; irVersion?: number; extraOpsets?: Record<string, number> } = {}): ModelProto {
  const opsets = [{ domain: '', version: options.opset ?? 17 }];
  for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) opsets.push({ domain, version });
  return {
    ir_version: options.irVersion ?? 8,
    producer_name: 'qaic-onnx-builder',
    producer_version: '1',
    opset_import: opsets,
    graph: g,
  };
}

/**
 * The ONNX protobuf schema (onnx.proto, IR version 10/11) as codec tables, and TypeScript shapes of the decoded
 * messages. Fields not listed here survive a read/write round trip through `$unknown`.
 *
 * Field names and meanings are those of onnx.proto (snake_case, as in the Python `onnx` package). Every field is
 * optional: protobuf leaves absent fields out, and the decoder does not fill defaults.
 */
import type { MessageSchema, UnknownField } from './protobuf.js';

/** 64-bit integers decode to `number` when they fit in a double exactly, else to `bigint`. */
export type Int64 = number | bigint;

/**
 * Base of every decoded message: what encoding needs to give back the bytes it was decoded from, beyond the named
 * fields.
 */
export interface Unknowns {
  /** Fields not in this schema (e.g. from a newer ONNX), in the order read, each with its place; absent when none. */
  $unknown?: UnknownField[];
  /**
   * Repeated number fields that were read in the other wire form than this schema writes by default: field name to
   * `true` (read packed) or `false` (one element per tag); absent when every field came in its default form. Encoding
   * writes those fields in the form recorded here. Packed by default: `TensorProto`'s `float_data`, `int32_data`,
   * `int64_data`, `double_data` and `uint64_data` (onnx.proto marks them `[packed = true]`); every other repeated
   * number (`dims`, `floats`, `ints`) is written one element per tag unless this says otherwise.
   */
  $packed?: Record<string, boolean>;
}

/** A string key/value pair (`metadata_props`, `external_data`). */
export interface StringStringEntryProto extends Unknowns {
  /** The key, e.g. `location` in a tensor's `external_data`. */
  key?: string;
  /** The value for `key`. */
  value?: string;
}

/** An operator set the model imports: a domain and its version. */
export interface OperatorSetIdProto extends Unknowns {
  /** The operator domain; empty or absent is the default ONNX domain (`ai.onnx`). */
  domain?: string;
  /** The opset version of that domain, e.g. 17. */
  version?: Int64;
}

/** One dimension of a tensor shape: a fixed size, a symbolic name, or neither (unknown). */
export interface TensorShapeDimension extends Unknowns {
  /** The fixed size of the dimension, when known. */
  dim_value?: Int64;
  /** The symbolic name of the dimension (e.g. `batch_size`), when it is not fixed. */
  dim_param?: string;
  /** Optional standard denotation of the dimension (e.g. `DATA_BATCH`). */
  denotation?: string;
}

/** A tensor shape: one entry per axis. An absent shape means the rank is unknown. */
export interface TensorShapeProto extends Unknowns {
  /** The dimensions, outermost first. */
  dim?: TensorShapeDimension[];
}

/** The type of a tensor (or sparse tensor) value: element type and shape. */
export interface TypeProtoTensor extends Unknowns {
  /** The element type, an {@link OnnxDataType} value. */
  elem_type?: number;
  /** The shape; absent when the rank is unknown. */
  shape?: TensorShapeProto;
}

/** The type of a value; exactly one of the `*_type` fields is set. */
export interface TypeProto extends Unknowns {
  /** Set for a dense tensor. */
  tensor_type?: TypeProtoTensor;
  /** Set for a sequence; `elem_type` is the type of its elements. */
  sequence_type?: {
    /** The type of each element of the sequence. */
    elem_type?: TypeProto;
  } & Unknowns;
  /** Set for a map; keys are of an {@link OnnxDataType} (integer or string), values of `value_type`. */
  map_type?: {
    /** The key type, an {@link OnnxDataType} value. */
    key_type?: number;
    /** The type of the map's values. */
    value_type?: TypeProto;
  } & Unknowns;
  /** Set for an optional value; `elem_type` is the type when present. */
  optional_type?: {
    /** The type of the value when it is present. */
    elem_type?: TypeProto;
  } & Unknowns;
  /** Set for a sparse tensor. */
  sparse_tensor_type?: TypeProtoTensor;
  /** Optional standard denotation of the type (e.g. `IMAGE`). */
  denotation?: string;
}

/** A named, typed value: a graph input, output, or intermediate (`value_info`). */
export interface ValueInfoProto extends Unknowns {
  /** The value's name, unique in the graph; nodes refer to it by this name. */
  name?: string;
  /** The value's type and shape; may be absent on intermediates. */
  type?: TypeProto;
  /** Free-form documentation. */
  doc_string?: string;
  /** Named metadata attached to the value. */
  metadata_props?: StringStringEntryProto[];
}

/**
 * A tensor: an initializer (weights) or a tensor-valued attribute. The data is in exactly one place: `raw_data`
 * (little-endian bytes), one of the typed `*_data` fields, or an external file named by `external_data`.
 */
export interface TensorProto extends Unknowns {
  /** The shape, outermost first; empty for a scalar. */
  dims?: Int64[];
  /** The element type, an {@link OnnxDataType} value. */
  data_type?: number;
  /** Elements of FLOAT and COMPLEX64 tensors (FLOAT16 and BFLOAT16 bit patterns go in `int32_data`). */
  float_data?: Float32Array;
  /** Elements of INT32, INT16, INT8, UINT16, UINT8, BOOL tensors, and FLOAT16/BFLOAT16/FLOAT8 bit patterns, one per int32. */
  int32_data?: Int32Array;
  /** Elements of STRING tensors, as UTF-8 bytes. */
  string_data?: Uint8Array[];
  /** Elements of INT64 tensors. */
  int64_data?: BigInt64Array;
  /** The tensor's name; for an initializer, the graph value it provides. */
  name?: string;
  /** Free-form documentation. */
  doc_string?: string;
  /** The elements as little-endian bytes, in row-major order; the usual encoding for weights. */
  raw_data?: Uint8Array;
  /** Where the data lives when `data_location` is EXTERNAL: `location`, `offset`, `length` (bytes) entries. */
  external_data?: StringStringEntryProto[];
  /** 0 (DEFAULT) when the data is in this message, 1 (EXTERNAL) when `external_data` points to a file. */
  data_location?: number;
  /** Elements of DOUBLE and COMPLEX128 tensors. */
  double_data?: Float64Array;
  /** Elements of UINT32 and UINT64 tensors. */
  uint64_data?: BigUint64Array;
  /** Named metadata attached to the tensor. */
  metadata_props?: StringStringEntryProto[];
}

/**
 * A node attribute. `type` (an {@link AttributeType} value) says which one of the value fields is set; in a function
 * body, `ref_attr_name` may refer to an attribute of the calling node instead.
 */
export interface AttributeProto extends Unknowns {
  /** The attribute's name, e.g. `axis`. */
  name?: string;
  /** In a function body: the name of the calling node's attribute whose value this takes. */
  ref_attr_name?: string;
  /** Free-form documentation. */
  doc_string?: string;
  /** Which value field is set, an {@link AttributeType} value. */
  type?: number;
  /** The value of a FLOAT attribute. */
  f?: number;
  /** The value of an INT attribute. */
  i?: Int64;
  /** The value of a STRING attribute, as bytes (usually UTF-8). */
  s?: Uint8Array;
  /** The value of a TENSOR attribute. */
  t?: TensorProto;
  /** The value of a GRAPH attribute (e.g. the branches of `If`, the body of `Loop`). */
  g?: GraphProto;
  /** The value of a TYPE_PROTO attribute. */
  tp?: TypeProto;
  /** The value of a FLOATS attribute. */
  floats?: number[];
  /** The value of an INTS attribute. */
  ints?: Int64[];
  /** The value of a STRINGS attribute, each as bytes. */
  strings?: Uint8Array[];
  /** The value of a TENSORS attribute. */
  tensors?: TensorProto[];
  /** The value of a GRAPHS attribute. */
  graphs?: GraphProto[];
  /** The value of a TYPE_PROTOS attribute. */
  type_protos?: TypeProto[];
}

/** One operator call in a graph: it reads the named `input` values and produces the named `output` values. */
export interface NodeProto extends Unknowns {
  /** Names of the values the node reads, in operator order; an empty string marks an omitted optional input. */
  input?: string[];
  /** Names of the values the node produces, in operator order. */
  output?: string[];
  /** The node's name (optional, for diagnostics). */
  name?: string;
  /** The operator, e.g. `Conv` or `MatMul`. */
  op_type?: string;
  /** The operator's domain; empty or absent is the default ONNX domain. */
  domain?: string;
  /** For a call to a model-local function: which overload of it. */
  overload?: string;
  /** The node's attributes. */
  attribute?: AttributeProto[];
  /** Free-form documentation. */
  doc_string?: string;
  /** Named metadata attached to the node. */
  metadata_props?: StringStringEntryProto[];
}

/** A computation graph: nodes in topological order, with its inputs, outputs and initializers (weights). */
export interface GraphProto extends Unknowns {
  /** The nodes, in topological order. */
  node?: NodeProto[];
  /** The graph's name. */
  name?: string;
  /** Constant tensors (weights), each providing the graph value of the same name. */
  initializer?: TensorProto[];
  /** Free-form documentation. */
  doc_string?: string;
  /** The graph's inputs; an input that has an initializer of the same name is optional (the initializer is its default). */
  input?: ValueInfoProto[];
  /** The graph's outputs. */
  output?: ValueInfoProto[];
  /** Types and shapes of intermediate values, where known. */
  value_info?: ValueInfoProto[];
  /** Named metadata attached to the graph. */
  metadata_props?: StringStringEntryProto[];
}

/** A model-local function: a named sub-graph that nodes can call like an operator. */
export interface FunctionProto extends Unknowns {
  /** The function's name; nodes call it with this `op_type` and the function's `domain`. */
  name?: string;
  /** Names of the function's formal inputs. */
  input?: string[];
  /** Names of the function's formal outputs. */
  output?: string[];
  /** Names of the attributes the function accepts. */
  attribute?: string[];
  /** The function body, in topological order. */
  node?: NodeProto[];
  /** Free-form documentation. */
  doc_string?: string;
  /** The operator sets the body uses. */
  opset_import?: OperatorSetIdProto[];
  /** The domain the function is called in. */
  domain?: string;
  /** Which overload of the function this is, when several share a name and domain. */
  overload?: string;
}

/** A whole ONNX model: the top-level message of a `.onnx` file. */
export interface ModelProto extends Unknowns {
  /** The ONNX IR version the model was written for (e.g. 8, 10). */
  ir_version?: Int64;
  /** The operator sets (domain and version) the model's nodes use. */
  opset_import?: OperatorSetIdProto[];
  /** The tool that wrote the model, e.g. `pytorch`. */
  producer_name?: string;
  /** The version of that tool. */
  producer_version?: string;
  /** A reverse-DNS namespace for the model, e.g. `com.example`. */
  domain?: string;
  /** The model's own version number. */
  model_version?: Int64;
  /** Free-form documentation. */
  doc_string?: string;
  /** The main graph. */
  graph?: GraphProto;
  /** Named metadata attached to the model. */
  metadata_props?: StringStringEntryProto[];
  /** Model-local functions that the graph's nodes may call. */
  functions?: FunctionProto[];
}

// Schemas reference each other recursively (graphs inside attributes), so they are declared first and filled after.
// Each table lists its fields in onnx.proto's declaration order; the encoder writes them in field-number order, as
// protobuf's own encoders do, whatever the order here.
const S = (name: string): MessageSchema => ({ name, fields: [] });

export const StringStringEntrySchema = S('StringStringEntryProto');
export const OperatorSetIdSchema = S('OperatorSetIdProto');
export const DimensionSchema = S('TensorShapeProto.Dimension');
export const TensorShapeSchema = S('TensorShapeProto');
export const TypeTensorSchema = S('TypeProto.Tensor');
export const TypeSequenceSchema = S('TypeProto.Sequence');
export const TypeMapSchema = S('TypeProto.Map');
export const TypeOptionalSchema = S('TypeProto.Optional');
export const TypeSchema = S('TypeProto');
export const ValueInfoSchema = S('ValueInfoProto');
export const TensorSchema = S('TensorProto');
export const AttributeSchema = S('AttributeProto');
export const NodeSchema = S('NodeProto');
export const GraphSchema = S('GraphProto');
export const FunctionSchema = S('FunctionProto');
export const ModelSchema = S('ModelProto');

StringStringEntrySchema.fields.push({ no: 1, name: 'key', kind: 'string' }, { no: 2, name: 'value', kind: 'string' });
OperatorSetIdSchema.fields.push({ no: 1, name: 'domain', kind: 'string' }, { no: 2, name: 'version', kind: 'int64' });
DimensionSchema.fields.push(
  { no: 1, name: 'dim_value', kind: 'int64' },
  { no: 2, name: 'dim_param', kind: 'string' },
  { no: 3, name: 'denotation', kind: 'string' },
);
TensorShapeSchema.fields.push({ no: 1, name: 'dim', kind: DimensionSchema, repeated: true });
TypeTensorSchema.fields.push({ no: 1, name: 'elem_type', kind: 'int32' }, { no: 2, name: 'shape', kind: TensorShapeSchema });
TypeSequenceSchema.fields.push({ no: 1, name: 'elem_type', kind: TypeSchema });
TypeMapSchema.fields.push({ no: 1, name: 'key_type', kind: 'int32' }, { no: 2, name: 'value_type', kind: TypeSchema });
TypeOptionalSchema.fields.push({ no: 1, name: 'elem_type', kind: TypeSchema });
TypeSchema.fields.push(
  { no: 1, name: 'tensor_type', kind: TypeTensorSchema },
  { no: 4, name: 'sequence_type', kind: TypeSequenceSchema },
  { no: 5, name: 'map_type', kind: TypeMapSchema },
  { no: 9, name: 'optional_type', kind: TypeOptionalSchema },
  { no: 8, name: 'sparse_tensor_type', kind: TypeTensorSchema },
  { no: 6, name: 'denotation', kind: 'string' },
);
ValueInfoSchema.fields.push(
  { no: 1, name: 'name', kind: 'string' },
  { no: 2, name: 'type', kind: TypeSchema },
  { no: 3, name: 'doc_string', kind: 'string' },
  { no: 4, name: 'metadata_props', kind: StringStringEntrySchema, repeated: true },
);
TensorSchema.fields.push(
  { no: 1, name: 'dims', kind: 'int64', repeated: true },
  { no: 2, name: 'data_type', kind: 'int32' },
  { no: 4, name: 'float_data', kind: 'f32[]', packed: true },
  { no: 5, name: 'int32_data', kind: 'i32[]', packed: true },
  { no: 6, name: 'string_data', kind: 'bytes', repeated: true },
  { no: 7, name: 'int64_data', kind: 'i64[]', packed: true },
  { no: 8, name: 'name', kind: 'string' },
  { no: 12, name: 'doc_string', kind: 'string' },
  { no: 9, name: 'raw_data', kind: 'bytes' },
  { no: 13, name: 'external_data', kind: StringStringEntrySchema, repeated: true },
  { no: 14, name: 'data_location', kind: 'int32' },
  { no: 10, name: 'double_data', kind: 'f64[]', packed: true },
  { no: 11, name: 'uint64_data', kind: 'u64[]', packed: true },
  { no: 16, name: 'metadata_props', kind: StringStringEntrySchema, repeated: true },
);
AttributeSchema.fields.push(
  { no: 1, name: 'name', kind: 'string' },
  { no: 21, name: 'ref_attr_name', kind: 'string' },
  { no: 13, name: 'doc_string', kind: 'string' },
  { no: 20, name: 'type', kind: 'int32' },
  { no: 2, name: 'f', kind: 'float' },
  { no: 3, name: 'i', kind: 'int64' },
  { no: 4, name: 's', kind: 'bytes' },
  { no: 5, name: 't', kind: TensorSchema },
  { no: 6, name: 'g', kind: GraphSchema },
  { no: 14, name: 'tp', kind: TypeSchema },
  { no: 7, name: 'floats', kind: 'float', repeated: true },
  { no: 8, name: 'ints', kind: 'int64', repeated: true },
  { no: 9, name: 'strings', kind: 'bytes', repeated: true },
  { no: 10, name: 'tensors', kind: TensorSchema, repeated: true },
  { no: 11, name: 'graphs', kind: GraphSchema, repeated: true },
  { no: 15, name: 'type_protos', kind: TypeSchema, repeated: true },
);
NodeSchema.fields.push(
  { no: 1, name: 'input', kind: 'string', repeated: true },
  { no: 2, name: 'output', kind: 'string', repeated: true },
  { no: 3, name: 'name', kind: 'string' },
  { no: 4, name: 'op_type', kind: 'string' },
  { no: 7, name: 'domain', kind: 'string' },
  { no: 8, name: 'overload', kind: 'string' },
  { no: 5, name: 'attribute', kind: AttributeSchema, repeated: true },
  { no: 6, name: 'doc_string', kind: 'string' },
  { no: 9, name: 'metadata_props', kind: StringStringEntrySchema, repeated: true },
);
GraphSchema.fields.push(
  { no: 1, name: 'node', kind: NodeSchema, repeated: true },
  { no: 2, name: 'name', kind: 'string' },
  { no: 5, name: 'initializer', kind: TensorSchema, repeated: true },
  { no: 10, name: 'doc_string', kind: 'string' },
  { no: 11, name: 'input', kind: ValueInfoSchema, repeated: true },
  { no: 12, name: 'output', kind: ValueInfoSchema, repeated: true },
  { no: 13, name: 'value_info', kind: ValueInfoSchema, repeated: true },
  { no: 16, name: 'metadata_props', kind: StringStringEntrySchema, repeated: true },
);
FunctionSchema.fields.push(
  { no: 1, name: 'name', kind: 'string' },
  { no: 4, name: 'input', kind: 'string', repeated: true },
  { no: 5, name: 'output', kind: 'string', repeated: true },
  { no: 6, name: 'attribute', kind: 'string', repeated: true },
  { no: 7, name: 'node', kind: NodeSchema, repeated: true },
  { no: 8, name: 'doc_string', kind: 'string' },
  { no: 9, name: 'opset_import', kind: OperatorSetIdSchema, repeated: true },
  { no: 10, name: 'domain', kind: 'string' },
  { no: 13, name: 'overload', kind: 'string' },
);
ModelSchema.fields.push(
  { no: 1, name: 'ir_version', kind: 'int64' },
  { no: 8, name: 'opset_import', kind: OperatorSetIdSchema, repeated: true },
  { no: 2, name: 'producer_name', kind: 'string' },
  { no: 3, name: 'producer_version', kind: 'string' },
  { no: 4, name: 'domain', kind: 'string' },
  { no: 5, name: 'model_version', kind: 'int64' },
  { no: 6, name: 'doc_string', kind: 'string' },
  { no: 7, name: 'graph', kind: GraphSchema },
  { no: 14, name: 'metadata_props', kind: StringStringEntrySchema, repeated: true },
  { no: 25, name: 'functions', kind: FunctionSchema, repeated: true },
);

/** ONNX `TensorProto.DataType` values: the element type codes of tensors (`onnx.TensorProto.FLOAT` etc. in Python). */
export const OnnxDataType = {
  /** Not set; invalid in a well-formed model. */
  UNDEFINED: 0,
  /** 32-bit IEEE float (`float32`). */
  FLOAT: 1,
  /** 8-bit unsigned integer. */
  UINT8: 2,
  /** 8-bit signed integer. */
  INT8: 3,
  /** 16-bit unsigned integer. */
  UINT16: 4,
  /** 16-bit signed integer. */
  INT16: 5,
  /** 32-bit signed integer. */
  INT32: 6,
  /** 64-bit signed integer. */
  INT64: 7,
  /** Variable-length string (UTF-8 bytes). */
  STRING: 8,
  /** Boolean, one byte per element. */
  BOOL: 9,
  /** 16-bit IEEE half float (`float16`). */
  FLOAT16: 10,
  /** 64-bit IEEE float (`float64`). */
  DOUBLE: 11,
  /** 32-bit unsigned integer. */
  UINT32: 12,
  /** 64-bit unsigned integer. */
  UINT64: 13,
  /** Complex of two 32-bit floats. */
  COMPLEX64: 14,
  /** Complex of two 64-bit floats. */
  COMPLEX128: 15,
  /** 16-bit brain float (8-bit exponent, 7-bit mantissa). */
  BFLOAT16: 16,
  /** 8-bit float, 4-bit exponent, 3-bit mantissa, finite values only (no infinities). */
  FLOAT8E4M3FN: 17,
  /** 8-bit float, E4M3, finite only, no negative zero. */
  FLOAT8E4M3FNUZ: 18,
  /** 8-bit float, 5-bit exponent, 2-bit mantissa. */
  FLOAT8E5M2: 19,
  /** 8-bit float, E5M2, finite only, no negative zero. */
  FLOAT8E5M2FNUZ: 20,
  /** 4-bit unsigned integer, two per byte. */
  UINT4: 21,
  /** 4-bit signed integer, two per byte. */
  INT4: 22,
  /** 4-bit float, 2-bit exponent, 1-bit mantissa, two per byte. */
  FLOAT4E2M1: 23,
} as const;

/** ONNX `AttributeProto.AttributeType` values: which value field of an {@link AttributeProto} is set. */
export const AttributeType = {
  /** Not set; invalid in a well-formed model. */
  UNDEFINED: 0,
  /** A single float, in `f`. */
  FLOAT: 1,
  /** A single integer, in `i`. */
  INT: 2,
  /** A single string (bytes), in `s`. */
  STRING: 3,
  /** A tensor, in `t`. */
  TENSOR: 4,
  /** A sub-graph, in `g`. */
  GRAPH: 5,
  /** A list of floats, in `floats`. */
  FLOATS: 6,
  /** A list of integers, in `ints`. */
  INTS: 7,
  /** A list of strings, in `strings`. */
  STRINGS: 8,
  /** A list of tensors, in `tensors`. */
  TENSORS: 9,
  /** A list of sub-graphs, in `graphs`. */
  GRAPHS: 10,
  /** A sparse tensor (field not decoded by this schema; kept in `$unknown`). */
  SPARSE_TENSOR: 11,
  /** A list of sparse tensors (kept in `$unknown`). */
  SPARSE_TENSORS: 12,
  /** A type, in `tp`. */
  TYPE_PROTO: 13,
  /** A list of types, in `type_protos`. */
  TYPE_PROTOS: 14,
} as const;

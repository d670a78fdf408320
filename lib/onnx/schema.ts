/**
 * The ONNX protobuf schema (onnx.proto, IR version 10/11) as codec tables, and TypeScript shapes of the decoded
 * messages. Fields not listed here survive a read/write round trip through `$unknown`.
 */
import type { MessageSchema, UnknownField } from './protobuf.js';

/** 64-bit integers decode to `number` when they fit in a double exactly, else to `bigint`. */
export type Int64 = number | bigint;

interface Unknowns {
  $unknown?: UnknownField[];
}

export interface StringStringEntryProto extends Unknowns {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto extends Unknowns {
  domain?: string;
  version?: Int64;
}

export interface TensorShapeDimension extends Unknowns {
  dim_value?: Int64;
  dim_param?: string;
  denotation?: string;
}

export interface TensorShapeProto extends Unknowns {
  dim?: TensorShapeDimension[];
}

export interface TypeProtoTensor extends Unknowns {
  elem_type?: number;
  shape?: TensorShapeProto;
}

export interface TypeProto extends Unknowns {
  tensor_type?: TypeProtoTensor;
  sequence_type?: { elem_type?: TypeProto } & Unknowns;
  map_type?: { key_type?: number; value_type?: TypeProto } & Unknowns;
  optional_type?: { elem_type?: TypeProto } & Unknowns;
  sparse_tensor_type?: TypeProtoTensor;
  denotation?: string;
}

export interface ValueInfoProto extends Unknowns {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface TensorProto extends Unknowns {
  dims?: Int64[];
  data_type?: number;
  float_data?: Float32Array;
  int32_data?: Int32Array;
  string_data?: Uint8Array[];
  int64_data?: BigInt64Array;
  name?: string;
  doc_string?: string;
  raw_data?: Uint8Array;
  external_data?: StringStringEntryProto[];
  data_location?: number;
  double_data?: Float64Array;
  uint64_data?: BigUint64Array;
  metadata_props?: StringStringEntryProto[];
}

export interface AttributeProto extends Unknowns {
  name?: string;
  ref_attr_name?: string;
  doc_string?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  tp?: TypeProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  type_protos?: TypeProto[];
}

export interface NodeProto extends Unknowns {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface GraphProto extends Unknowns {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  doc_string?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  metadata_props?: StringStringEntryProto[];
}

export interface FunctionProto extends Unknowns {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  node?: NodeProto[];
  doc_string?: string;
  opset_import?: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
}

export interface ModelProto extends Unknowns {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: StringStringEntryProto[];
  functions?: FunctionProto[];
}

// Schemas reference each other recursively (graphs inside attributes), so they are declared first and filled after.
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

/** ONNX `TensorProto.DataType` values. */
export const OnnxDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

/** ONNX `AttributeProto.AttributeType` values. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

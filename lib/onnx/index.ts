/**
 * The project's own ONNX reader and writer: decode, edit and encode models without losing fields, and build small
 * models in code.
 *
 * @packageDocumentation
 */
export { decodeModel, encodeModel, readModelFile, decodeTensor, encodeTensor, modelIO, modelSymbols, opsetVersion, tensorData, makeTensorProto, valueSpec, graphInputs } from './model.js';
export type { Dim, ValueSpec } from './model.js';
export { graph, initializer, model, node, tensorInfo } from './builder.js';
export type { AttributeValue } from './builder.js';
export { OnnxDataType, AttributeType } from './schema.js';
export type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  Int64,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorProto,
  TensorShapeDimension,
  TensorShapeProto,
  TypeProto,
  TypeProtoTensor,
  Unknowns,
  ValueInfoProto,
} from './schema.js';
export type { UnknownField, WireType } from './protobuf.js';

#include "dtypes.h"

namespace qaic {
namespace {

constexpr DTypeInfo kTypes[] = {
    {"float32", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4, napi_float32_array, "Float32Array"},
    {"float64", ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, 8, napi_float64_array, "Float64Array"},
    {"float16", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, 2, napi_uint16_array, "Uint16Array"},
    {"int8", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, 1, napi_int8_array, "Int8Array"},
    {"uint8", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, 1, napi_uint8_array, "Uint8Array"},
    {"int16", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16, 2, napi_int16_array, "Int16Array"},
    {"uint16", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, 2, napi_uint16_array, "Uint16Array"},
    {"int32", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, 4, napi_int32_array, "Int32Array"},
    {"uint32", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32, 4, napi_uint32_array, "Uint32Array"},
    {"int64", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, 8, napi_bigint64_array, "BigInt64Array"},
    {"uint64", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64, 8, napi_biguint64_array, "BigUint64Array"},
    {"bool", ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, 1, napi_uint8_array, "Uint8Array"},
    {"string", ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, 0, napi_uint8_array, "string[]"},
};

}  // namespace

const DTypeInfo* DTypeByName(const std::string& name) {
  for (const auto& t : kTypes) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

const DTypeInfo* DTypeByOnnx(ONNXTensorElementDataType onnx) {
  for (const auto& t : kTypes) {
    if (onnx == t.onnx) return &t;
  }
  return nullptr;
}

std::string DTypeNames() {
  std::string out;
  for (const auto& t : kTypes) {
    if (!out.empty()) out += ", ";
    out += t.name;
  }
  return out;
}

}  // namespace qaic

// The element types of native-api.md (lib/dtypes.ts names) with their onnxruntime codes and JS containers.
#pragma once

#include "ort.h"

#include <napi.h>

#include <string>

namespace qaic {

struct DTypeInfo {
  // lib/dtypes.ts name: float32, float16, int64, bool, string, ...
  const char* name;
  ONNXTensorElementDataType onnx;
  // element size in bytes (0 for string)
  size_t bytes;
  // the typed array carrying it (float16 as Uint16Array bits, bool as Uint8Array); unused for string
  napi_typedarray_type array;
  const char* array_name;
};

// nullptr when the name or the code is not one the engine carries.
const DTypeInfo* DTypeByName(const std::string& name);
const DTypeInfo* DTypeByOnnx(ONNXTensorElementDataType onnx);

// "float32, float64, ..." for error messages.
std::string DTypeNames();

}  // namespace qaic

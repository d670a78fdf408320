// Inputs: a NativeTensor from JS copied into a new onnxruntime tensor on the JS thread, so the caller may reuse its
// buffer as soon as run() returns (the input contract of native-api.md).
#pragma once

#include "ort.h"

#include <napi.h>

#include <string>

namespace qaic {

// Copy `value` ({type, dims, data}) into `*out`. `what` names it in errors ("input 'x'"). Returns false with `error`
// saying what is wrong (unknown dtype, dims, data container or length, a non-string or a NUL in a string tensor, or
// onnxruntime refusing the allocation). Must run on the JS thread.
bool CopyInTensor(Napi::Value value, const std::string& what, ValuePtr* out, std::string* error);

}  // namespace qaic

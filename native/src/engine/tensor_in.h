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

// The borrowing variant: a numeric tensor with elements is not copied; `*out` points into the caller's memory and
// `*held` gets a reference to its ArrayBuffer, which the caller keeps until the request ended. The caller must neither
// mutate nor detach that buffer meanwhile. Strings and empty tensors are copied as by CopyInTensor.
bool BorrowInTensor(Napi::Value value, const std::string& what, ValuePtr* out, Napi::Reference<Napi::Value>* held,
                    std::string* error);

}  // namespace qaic

// Outputs: read on the activation thread (type, dims, strings), handed to JS on the JS thread as a NativeTensor whose
// data is an external ArrayBuffer over onnxruntime's own memory (no copy), or a copy: for outputs under
// kCopyBelowBytes, where external buffers are refused (V8 sandbox builds such as Electron), or where the activation
// asked for copies (start()'s copyOutputs).
#pragma once

#include "dtypes.h"
#include "ort.h"
#include "status.h"

#include <napi.h>

#include <optional>
#include <string>
#include <vector>

namespace qaic {

struct OutputTensor {
  std::string name;
  const DTypeInfo* dtype = nullptr;
  std::vector<int64_t> dims;
  // numeric tensors: the value whose memory becomes the ArrayBuffer; its finalizer releases it
  ValuePtr value;
  // numeric tensors: the value's data (nullptr when it has no elements) and its size
  void* data = nullptr;
  size_t byte_length = 0;
  // string tensors: copied out on the activation thread, so `value` is released there
  std::vector<std::string> strings;
};

// Describe `value` (an output of Run) into `out`, taking ownership. Activation thread.
std::optional<OrtFailure> TakeOutput(std::string name, ValuePtr value, OutputTensor* out);

// Outputs smaller than this many bytes are always delivered as copies (see OutputToJs).
extern const size_t kCopyBelowBytes;

// The NativeTensor {type, dims, data} for `tensor`; consumes its value. With `copy`, for an output under
// kCopyBelowBytes, or where V8 refuses an external buffer, the data are copied into a V8 ArrayBuffer and the
// onnxruntime value is released at once. JS thread.
Napi::Object OutputToJs(Napi::Env env, OutputTensor& tensor, bool copy);

// How many onnxruntime output values external ArrayBuffers hold now, in this process (released as V8 collects them).
int64_t HeldOutputValues();

}  // namespace qaic

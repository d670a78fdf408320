// onnxruntime statuses turned into error text: every OrtStatus* the engine receives goes through Check, which
// releases it and keeps its message and code.
#pragma once

#include "ort.h"

#include <optional>
#include <string>

namespace qaic {

struct OrtFailure {
  // "onnxruntime: <message> (<ORT_CODE>)"
  std::string message;
  // OrtErrorCode, or -1 when the failure did not come from onnxruntime
  int code;
};

// nullopt when `status` is null (success); otherwise its message and code. The status is released either way.
std::optional<OrtFailure> Check(OrtStatus* status);

// A failure of the engine itself (not onnxruntime's), with the same shape.
OrtFailure EngineFailure(std::string message);

// ORT_INVALID_ARGUMENT for 2, and so on: the names of onnxruntime_c_api.h's OrtErrorCode.
const char* ErrorCodeName(int code);

}  // namespace qaic

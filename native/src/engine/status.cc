#include "status.h"

namespace qaic {

const char* ErrorCodeName(int code) {
  switch (code) {
    case ORT_OK: return "ORT_OK";
    case ORT_FAIL: return "ORT_FAIL";
    case ORT_INVALID_ARGUMENT: return "ORT_INVALID_ARGUMENT";
    case ORT_NO_SUCHFILE: return "ORT_NO_SUCHFILE";
    case ORT_NO_MODEL: return "ORT_NO_MODEL";
    case ORT_ENGINE_ERROR: return "ORT_ENGINE_ERROR";
    case ORT_RUNTIME_EXCEPTION: return "ORT_RUNTIME_EXCEPTION";
    case ORT_INVALID_PROTOBUF: return "ORT_INVALID_PROTOBUF";
    case ORT_MODEL_LOADED: return "ORT_MODEL_LOADED";
    case ORT_NOT_IMPLEMENTED: return "ORT_NOT_IMPLEMENTED";
    case ORT_INVALID_GRAPH: return "ORT_INVALID_GRAPH";
    case ORT_EP_FAIL: return "ORT_EP_FAIL";
    case ORT_MODEL_LOAD_CANCELED: return "ORT_MODEL_LOAD_CANCELED";
    case ORT_MODEL_REQUIRES_COMPILATION: return "ORT_MODEL_REQUIRES_COMPILATION";
    case ORT_NOT_FOUND: return "ORT_NOT_FOUND";
    default: return "ORT_UNKNOWN_CODE";
  }
}

std::optional<OrtFailure> Check(OrtStatus* raw) {
  if (raw == nullptr) return std::nullopt;
  StatusPtr status(raw);
  const int code = static_cast<int>(Api().GetErrorCode(status.get()));
  const char* message = Api().GetErrorMessage(status.get());
  return OrtFailure{std::string("onnxruntime: ") + (message != nullptr ? message : "(no message)") + " (" +
                        ErrorCodeName(code) + ")",
                    code};
}

OrtFailure EngineFailure(std::string message) { return OrtFailure{std::move(message), -1}; }

}  // namespace qaic

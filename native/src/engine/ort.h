// Access to the onnxruntime library that onnxruntime-node ships, loaded at run time (nothing is linked at build
// time), and RAII owners for every onnxruntime object the engine creates.
#pragma once

#include <onnxruntime_c_api.h>

#include <memory>
#include <string>

namespace qaic {

// The OrtApi table. Only valid after LoadOnnxRuntime succeeded; the library is never unloaded, so the table (and
// every function pointer in it) stays valid for the rest of the process, including in finalizers that run after an
// activation closed.
const OrtApi& Api();

// True once LoadOnnxRuntime succeeded in this process.
bool OrtLoaded();

// The process-wide OrtEnv. onnxruntime keeps one ref-counted env per process: when onnxruntime-node made one first,
// CreateEnv hands back that same env. Held for the rest of the process.
OrtEnv* Env();

struct LoadOutcome {
  bool ok;
  // onnxruntime's version string when ok, else why it failed (naming the file)
  std::string text;
};

// dlopen `path`, find OrtGetApiBase, take GetApi(ORT_API_VERSION) and create the env. Idempotent for the same file;
// a second, different library is refused (one process holds one onnxruntime). Thread-safe.
LoadOutcome LoadOnnxRuntime(const std::string& path);

// One deleter per onnxruntime type, calling its Release function. They only run on objects that were created, so
// the library is loaded by then.
#define QAIC_ORT_OWNER(Name)                                                     \
  struct Name##Deleter {                                                         \
    void operator()(Ort##Name* p) const noexcept {                               \
      if (p != nullptr) Api().Release##Name(p);                                  \
    }                                                                            \
  };                                                                             \
  using Name##Ptr = std::unique_ptr<Ort##Name, Name##Deleter>;

QAIC_ORT_OWNER(Status)
QAIC_ORT_OWNER(Value)
QAIC_ORT_OWNER(Session)
QAIC_ORT_OWNER(SessionOptions)
QAIC_ORT_OWNER(RunOptions)
QAIC_ORT_OWNER(MemoryInfo)
QAIC_ORT_OWNER(TensorTypeAndShapeInfo)
QAIC_ORT_OWNER(TypeInfo)

#undef QAIC_ORT_OWNER

// A buffer allocated by an OrtAllocator (names and profile file names onnxruntime hands out), freed with it.
struct AllocatorFree {
  OrtAllocator* allocator;
  void operator()(char* p) const noexcept {
    if (p != nullptr) allocator->Free(allocator, p);
  }
};
using AllocatedString = std::unique_ptr<char, AllocatorFree>;

}  // namespace qaic

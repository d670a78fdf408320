#include "ort.h"

#include "status.h"

#include <dlfcn.h>
#include <elf.h>
#include <stdlib.h>

#include <cstring>
#include <fstream>

#include <mutex>

namespace qaic {
namespace {

// Written once under `load_mutex` and never cleared: readers on other threads only read it after the JS thread saw
// init() succeed, which happens-before any activation thread starts.
const OrtApi* api_table = nullptr;
OrtEnv* env = nullptr;
std::string loaded_path;
std::string loaded_version;
std::mutex load_mutex;

std::string RealPath(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return path;
  std::string out(resolved);
  free(resolved);
  return out;
}

#if defined(__x86_64__)
constexpr uint16_t kOwnMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kOwnMachine = EM_AARCH64;
#else
constexpr uint16_t kOwnMachine = EM_NONE;
#endif

// When `path` is an ELF file for another machine, say so: glibc's dlopen reports such a file as "No such file or
// directory", which would send the user looking for a file that is there.
std::string ForeignMachine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header;
  if (!in.read(reinterpret_cast<char*>(&header), sizeof(header))) return "";
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || kOwnMachine == EM_NONE) return "";
  // e_machine sits at the same offset in 32- and 64-bit headers
  if (header.e_machine == kOwnMachine) return "";
  return "it is built for another machine (ELF e_machine " + std::to_string(header.e_machine) + ", this process runs " +
         std::to_string(kOwnMachine) + ")";
}

}  // namespace

const OrtApi& Api() { return *api_table; }

bool OrtLoaded() { return api_table != nullptr; }

OrtEnv* Env() { return env; }

LoadOutcome LoadOnnxRuntime(const std::string& path) {
  std::lock_guard<std::mutex> lock(load_mutex);
  const std::string real = RealPath(path);
  if (api_table != nullptr) {
    if (real == loaded_path) return {true, loaded_version};
    return {false, "onnxruntime is already loaded from '" + loaded_path + "' in this process; cannot load '" + path +
                       "' as well"};
  }
  // RTLD_LOCAL: the library's symbols stay out of the global namespace. When onnxruntime-node already loaded the same
  // file, the loader returns that one mapping (same inode), so both share one onnxruntime.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    const std::string foreign = ForeignMachine(path);
    if (!foreign.empty()) return {false, "cannot load onnxruntime library '" + path + "': " + foreign};
    return {false, "cannot load onnxruntime library '" + path + "': " + (why != nullptr ? why : "dlopen failed")};
  }
  // The handle is deliberately never closed: the OrtApi table, the env and every output buffer's finalizer use the
  // library until the process ends.
  using GetApiBase = const OrtApiBase* (*)();
  auto get_base = reinterpret_cast<GetApiBase>(dlsym(handle, "OrtGetApiBase"));
  if (get_base == nullptr) {
    return {false, "'" + path + "' is not an onnxruntime library: it exports no OrtGetApiBase"};
  }
  const OrtApiBase* base = get_base();
  const char* version = base != nullptr && base->GetVersionString != nullptr ? base->GetVersionString() : nullptr;
  const std::string version_text = version != nullptr ? version : "(unknown version)";
  const OrtApi* table = base != nullptr ? base->GetApi(ORT_API_VERSION) : nullptr;
  if (table == nullptr) {
    return {false, "onnxruntime " + version_text + " ('" + path + "') is too old for API version " +
                       std::to_string(ORT_API_VERSION) + " (GetApi(" + std::to_string(ORT_API_VERSION) +
                       ") returned null): the engine was built against that version's header and needs an onnxruntime " +
                       "at least that new"};
  }
  OrtEnv* created = nullptr;
  // "qaic" and WARNING only apply when this is the first env of the process (onnxruntime-node's otherwise).
  OrtStatus* status = table->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "qaic", &created);
  if (status != nullptr) {
    // Check needs Api(): take the table first (it is valid), report, and leave the process without an env.
    api_table = table;
    auto failure = Check(status);
    api_table = nullptr;
    return {false, "onnxruntime " + version_text + " ('" + path + "') could not create its environment: " +
                       (failure ? failure->message : std::string("unknown error"))};
  }
  api_table = table;
  env = created;
  loaded_path = real;
  loaded_version = version_text;
  return {true, loaded_version};
}

}  // namespace qaic

// What the activation thread tells JS: one Event per NativeEvent of native-api.md, built on the activation thread and
// turned into a JS object on the JS thread.
#pragma once

#include "tensor_out.h"

#include <napi.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qaic {

// Timestamps of one request, NowNs() of the activation thread.
struct Times {
  double received = 0;
  double run_start = 0;
  double run_end = 0;
  double posted = 0;
};

struct ProfileFile {
  int graph;
  std::string file;
  double create_start_ns;
};

struct Event {
  enum class Type { kReady, kLoadFailed, kGraphLoading, kGraphLoaded, kResult, kRunFailed, kBenchResult, kProfile, kPlacement, kExit };
  Type type = Type::kExit;
  double id = 0;
  int graph = 0;
  // load-failed / run-failed message; graph-loaded, bench-result and profile error when set
  std::optional<std::string> message;
  std::optional<int> ort_code;
  bool canceled = false;
  std::string file;
  Times times;
  // ready
  double create_start_ns = 0;
  double create_ms = 0;
  std::optional<std::vector<int>> pinned;
  // result
  std::vector<OutputTensor> outputs;
  // bench-result
  double count = 0;
  double start_ns = 0;
  double end_ns = 0;
  double warmup_ns = 0;
  std::vector<double> samples;
  // profile
  std::vector<ProfileFile> files;
  // placement: the profile of the measured inference (in `file`) and the input shapes it ran on
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  int exit_code = 0;
};

// The NativeEvent object for `event` (consumes its outputs). JS thread.
Napi::Object EventToJs(Napi::Env env, Event& event, bool copy_outputs);

}  // namespace qaic

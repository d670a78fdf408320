// onnxruntime session options as NativeSessionOptions gives them: read and checked on the JS thread, turned into an
// OrtSessionOptions on the activation thread when the graph loads.
#pragma once

#include "ort.h"
#include "status.h"

#include <napi.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qaic {

// One execution provider to append, by onnxruntime-node's name ('webgpu', 'cuda', 'cpu'), with its options as the C
// API takes them (string keys and values; forceCpuNodeNames already joined by newlines).
struct ProviderConfig {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
};

struct SessionConfig {
  std::optional<GraphOptimizationLevel> optimization_level;
  std::optional<int> intra_op_threads;
  std::optional<int> inter_op_threads;
  std::optional<ExecutionMode> execution_mode;
  std::optional<bool> cpu_mem_arena;
  std::optional<bool> mem_pattern;
  std::optional<int> log_severity;
  std::vector<std::pair<std::string, std::string>> config_entries;
  std::optional<std::string> profile_prefix;
  // appended in order before onnxruntime's CPU provider, which always comes last
  std::vector<ProviderConfig> providers;
};

// Read a NativeSessionOptions object. On a malformed field returns false with `error` naming it, what it expected and
// what it got. `undefined` fields keep onnxruntime's defaults.
bool ReadSessionConfig(Napi::Value value, SessionConfig* out, std::string* error);

// Build the OrtSessionOptions for `config`; the failure names the option onnxruntime refused (for a provider: its
// index, its name and the option keys given).
std::optional<OrtFailure> MakeSessionOptions(const SessionConfig& config, SessionOptionsPtr* out);

}  // namespace qaic

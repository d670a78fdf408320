#include "session_config.h"

#include <cmath>
#include <memory>

namespace qaic {
namespace {

std::string Describe(Napi::Value v) {
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    return std::isfinite(d) ? Napi::Value(v).ToString().Utf8Value() : (std::isnan(d) ? "NaN" : "Infinity");
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNull()) return "null";
  if (v.IsArray()) return "an array";
  if (v.IsObject()) return "an object";
  return "a value of another type";
}

bool ReadInt(Napi::Value v, const char* name, int min, std::optional<int>* out, std::string* error) {
  if (v.IsUndefined()) return true;
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    if (std::isfinite(d) && std::floor(d) == d && d >= min && d <= 1e6) {
      *out = static_cast<int>(d);
      return true;
    }
  }
  *error = std::string("sessionOptions.") + name + " must be an integer >= " + std::to_string(min) + ", got " + Describe(v);
  return false;
}

bool ReadBool(Napi::Value v, const char* name, std::optional<bool>* out, std::string* error) {
  if (v.IsUndefined()) return true;
  if (v.IsBoolean()) {
    *out = v.As<Napi::Boolean>().Value();
    return true;
  }
  *error = std::string("sessionOptions.") + name + " must be a boolean, got " + Describe(v);
  return false;
}

// The provider names the engine appends, as onnxruntime-node spells them ('cpu' appends nothing: onnxruntime's CPU
// provider always comes last).
bool KnownProvider(const std::string& name) { return name == "cpu" || name == "webgpu" || name == "cuda"; }

// The WebGPU options onnxruntime-node takes. onnxruntime's C API stores any key it is given as a session config entry
// and ignores those it does not know, so a misspelt option would pass unnoticed: refused here, as onnxruntime-node does.
constexpr const char* kWebGpuOptions[] = {
    "preferredLayout",      "validationMode",         "storageBufferCacheMode",       "uniformBufferCacheMode",
    "queryResolveBufferCacheMode", "defaultBufferCacheMode", "enableRobustness", "enableMatmulFp32Accumulation",
    "forceCpuNodeNames",    "weightLoadAcceleration",
};

bool KnownWebGpuOption(const std::string& key) {
  for (const char* known : kWebGpuOptions) {
    if (key == known) return true;
  }
  return false;
}

std::string WebGpuOptionList() {
  std::string out;
  for (const char* known : kWebGpuOptions) out += (out.empty() ? "" : ", ") + std::string(known);
  return out;
}

bool ReadProviders(Napi::Value value, std::vector<ProviderConfig>* out, std::string* error) {
  if (value.IsUndefined()) return true;
  if (!value.IsArray()) {
    *error = "sessionOptions.executionProviders must be an array, got " + Describe(value);
    return false;
  }
  Napi::Array list = value.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    const std::string where = "sessionOptions.executionProviders[" + std::to_string(i) + "]";
    Napi::Value entry = list.Get(i);
    ProviderConfig provider;
    Napi::Value options;
    if (entry.IsString()) {
      provider.name = entry.As<Napi::String>().Utf8Value();
    } else if (entry.IsObject() && !entry.IsArray() && entry.As<Napi::Object>().Get("name").IsString()) {
      provider.name = entry.As<Napi::Object>().Get("name").As<Napi::String>().Utf8Value();
      options = entry.As<Napi::Object>().Get("options");
    } else {
      *error = where + " must be a provider name or an object { name, options }, got " + Describe(entry);
      return false;
    }
    if (!KnownProvider(provider.name)) {
      *error = where + " must name 'webgpu', 'cuda' or 'cpu', got '" + provider.name + "'";
      return false;
    }
    if (!options.IsEmpty() && !options.IsUndefined()) {
      if (!options.IsObject() || options.IsArray()) {
        *error = where + ".options must be an object of string values, got " + Describe(options);
        return false;
      }
      Napi::Object o = options.As<Napi::Object>();
      Napi::Array keys = o.GetPropertyNames();
      for (uint32_t k = 0; k < keys.Length(); k++) {
        const std::string key = keys.Get(k).ToString().Utf8Value();
        Napi::Value v = o.Get(key);
        if (!v.IsString()) {
          *error = where + ".options['" + key + "'] must be a string, got " + Describe(v);
          return false;
        }
        if (provider.name == "webgpu" && !KnownWebGpuOption(key)) {
          *error = where + ".options: the WebGPU provider has no option '" + key + "' (it takes " + WebGpuOptionList() + ")";
          return false;
        }
        provider.options.emplace_back(key, v.As<Napi::String>().Utf8Value());
      }
      if (provider.name == "cpu" && !provider.options.empty()) {
        *error = where + ": the CPU provider takes no options, got '" + provider.options[0].first + "'";
        return false;
      }
    }
    out->push_back(std::move(provider));
  }
  return true;
}

// "sessionOptions.executionProviders[i] ('webgpu' with forceCpuNodeNames, validationMode)": what a provider failure
// names, so that the option onnxruntime refused can be found.
std::string ProviderWhere(size_t index, const ProviderConfig& provider) {
  std::string where = "sessionOptions.executionProviders[" + std::to_string(index) + "] ('" + provider.name + "'";
  for (size_t i = 0; i < provider.options.size(); i++) where += (i == 0 ? " with " : ", ") + provider.options[i].first;
  return where + ")";
}

struct CudaOptionsDeleter {
  void operator()(OrtCUDAProviderOptionsV2* p) const noexcept {
    if (p != nullptr) Api().ReleaseCUDAProviderOptions(p);
  }
};

// Append one provider through the C API: WebGPU by name with its options; CUDA through its V2 options, which load
// onnxruntime's CUDA provider library (a host without it fails here, with onnxruntime's reason).
std::optional<OrtFailure> AppendProvider(OrtSessionOptions* options, const ProviderConfig& provider) {
  const OrtApi& api = Api();
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : provider.options) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  if (provider.name == "webgpu") {
    return Check(api.SessionOptionsAppendExecutionProvider(options, "WebGPU", keys.data(), values.data(), keys.size()));
  }
  if (provider.name == "cuda") {
    OrtCUDAProviderOptionsV2* raw = nullptr;
    if (auto f = Check(api.CreateCUDAProviderOptions(&raw))) return f;
    std::unique_ptr<OrtCUDAProviderOptionsV2, CudaOptionsDeleter> cuda(raw);
    if (!keys.empty()) {
      if (auto f = Check(api.UpdateCUDAProviderOptions(cuda.get(), keys.data(), values.data(), keys.size()))) return f;
    }
    return Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(options, cuda.get()));
  }
  // 'cpu': onnxruntime appends its CPU provider itself, after every other
  return std::nullopt;
}

}  // namespace

bool ReadSessionConfig(Napi::Value value, SessionConfig* out, std::string* error) {
  if (value.IsUndefined() || value.IsNull()) return true;
  if (!value.IsObject() || value.IsArray()) {
    *error = "sessionOptions must be an object, got " + Describe(value);
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();

  Napi::Value level = o.Get("graphOptimizationLevel");
  if (!level.IsUndefined()) {
    const std::string s = level.IsString() ? level.As<Napi::String>().Utf8Value() : "";
    if (s == "disabled") out->optimization_level = ORT_DISABLE_ALL;
    else if (s == "basic") out->optimization_level = ORT_ENABLE_BASIC;
    else if (s == "extended") out->optimization_level = ORT_ENABLE_EXTENDED;
    else if (s == "layout") out->optimization_level = ORT_ENABLE_LAYOUT;
    else if (s == "all") out->optimization_level = ORT_ENABLE_ALL;
    else {
      *error = "sessionOptions.graphOptimizationLevel must be one of 'disabled', 'basic', 'extended', 'layout', 'all', got " +
               Describe(level);
      return false;
    }
  }
  if (!ReadInt(o.Get("intraOpNumThreads"), "intraOpNumThreads", 0, &out->intra_op_threads, error)) return false;
  if (!ReadInt(o.Get("interOpNumThreads"), "interOpNumThreads", 0, &out->inter_op_threads, error)) return false;
  Napi::Value mode = o.Get("executionMode");
  if (!mode.IsUndefined()) {
    const std::string s = mode.IsString() ? mode.As<Napi::String>().Utf8Value() : "";
    if (s == "sequential") out->execution_mode = ORT_SEQUENTIAL;
    else if (s == "parallel") out->execution_mode = ORT_PARALLEL;
    else {
      *error = "sessionOptions.executionMode must be 'sequential' or 'parallel', got " + Describe(mode);
      return false;
    }
  }
  if (!ReadBool(o.Get("enableCpuMemArena"), "enableCpuMemArena", &out->cpu_mem_arena, error)) return false;
  if (!ReadBool(o.Get("enableMemPattern"), "enableMemPattern", &out->mem_pattern, error)) return false;
  if (!ReadInt(o.Get("logSeverityLevel"), "logSeverityLevel", 0, &out->log_severity, error)) return false;
  if (out->log_severity && *out->log_severity > 4) {
    *error = "sessionOptions.logSeverityLevel must be an integer from 0 to 4, got " + std::to_string(*out->log_severity);
    return false;
  }
  Napi::Value config = o.Get("config");
  if (!config.IsUndefined()) {
    if (!config.IsObject() || config.IsArray()) {
      *error = "sessionOptions.config must be an object of string values, got " + Describe(config);
      return false;
    }
    Napi::Object entries = config.As<Napi::Object>();
    Napi::Array keys = entries.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      const std::string key = keys.Get(i).ToString().Utf8Value();
      Napi::Value v = entries.Get(key);
      if (!v.IsString()) {
        *error = "sessionOptions.config['" + key + "'] must be a string, got " + Describe(v);
        return false;
      }
      out->config_entries.emplace_back(key, v.As<Napi::String>().Utf8Value());
    }
  }
  Napi::Value prefix = o.Get("profileFilePrefix");
  if (!prefix.IsUndefined()) {
    if (!prefix.IsString() || prefix.As<Napi::String>().Utf8Value().empty()) {
      *error = "sessionOptions.profileFilePrefix must be a non-empty string, got " + Describe(prefix);
      return false;
    }
    out->profile_prefix = prefix.As<Napi::String>().Utf8Value();
  }
  return ReadProviders(o.Get("executionProviders"), &out->providers, error);
}

std::optional<OrtFailure> MakeSessionOptions(const SessionConfig& config, SessionOptionsPtr* out) {
  const OrtApi& api = Api();
  OrtSessionOptions* raw = nullptr;
  if (auto failure = Check(api.CreateSessionOptions(&raw))) return failure;
  SessionOptionsPtr options(raw);
  // Prefix each failure with the option it came from: onnxruntime's own message rarely names it.
  auto named = [](const char* option, std::optional<OrtFailure> failure) {
    if (failure) failure->message = std::string("sessionOptions.") + option + ": " + failure->message;
    return failure;
  };
  if (config.optimization_level) {
    if (auto f = named("graphOptimizationLevel", Check(api.SetSessionGraphOptimizationLevel(options.get(), *config.optimization_level)))) return f;
  }
  if (config.intra_op_threads) {
    if (auto f = named("intraOpNumThreads", Check(api.SetIntraOpNumThreads(options.get(), *config.intra_op_threads)))) return f;
  }
  if (config.inter_op_threads) {
    if (auto f = named("interOpNumThreads", Check(api.SetInterOpNumThreads(options.get(), *config.inter_op_threads)))) return f;
  }
  if (config.execution_mode) {
    if (auto f = named("executionMode", Check(api.SetSessionExecutionMode(options.get(), *config.execution_mode)))) return f;
  }
  if (config.cpu_mem_arena) {
    OrtStatus* s = *config.cpu_mem_arena ? api.EnableCpuMemArena(options.get()) : api.DisableCpuMemArena(options.get());
    if (auto f = named("enableCpuMemArena", Check(s))) return f;
  }
  if (config.mem_pattern) {
    OrtStatus* s = *config.mem_pattern ? api.EnableMemPattern(options.get()) : api.DisableMemPattern(options.get());
    if (auto f = named("enableMemPattern", Check(s))) return f;
  }
  if (config.log_severity) {
    if (auto f = named("logSeverityLevel", Check(api.SetSessionLogSeverityLevel(options.get(), *config.log_severity)))) return f;
  }
  for (const auto& [key, value] : config.config_entries) {
    if (auto f = Check(api.AddSessionConfigEntry(options.get(), key.c_str(), value.c_str()))) {
      f->message = "sessionOptions.config['" + key + "']: " + f->message;
      return f;
    }
  }
  if (config.profile_prefix) {
    if (auto f = named("profileFilePrefix", Check(api.EnableProfiling(options.get(), config.profile_prefix->c_str())))) return f;
  }
  for (size_t i = 0; i < config.providers.size(); i++) {
    if (auto f = AppendProvider(options.get(), config.providers[i])) {
      f->message = ProviderWhere(i, config.providers[i]) + ": " + f->message;
      return f;
    }
  }
  *out = std::move(options);
  return std::nullopt;
}

}  // namespace qaic

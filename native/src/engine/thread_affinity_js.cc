#include "thread_affinity_js.h"

#include "pinning.h"

#include <sched.h>

#include <cmath>
#include <string>
#include <vector>

namespace qaic {

Napi::Value PinThreadJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0) {
    Napi::TypeError::New(env, "pinThread() expects a non-empty array of CPU indices").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<int> cpus;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!std::isfinite(d) || std::floor(d) != d || d < 0) {
      Napi::TypeError::New(env, "pinThread(): cpus[" + std::to_string(i) + "] must be a non-negative integer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (d >= CPU_SETSIZE) {
      // a CPU beyond what the OS's affinity mask can name: the machine has no such CPU
      Napi::Error::New(env, "CPU " + std::to_string(static_cast<long long>(d)) + " is out of range (0 to " + std::to_string(CPU_SETSIZE - 1) + ")").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    cpus.push_back(static_cast<int>(d));
  }
  std::string reason;
  if (!PinCurrentThread(cpus, &reason)) {
    Napi::Error::New(env, reason).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return env.Undefined();
}

Napi::Value ThreadAffinityJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> cpus;
  std::string reason;
  if (!CurrentAffinity(&cpus, &reason)) {
    Napi::Error::New(env, reason).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, cpus.size());
  for (size_t i = 0; i < cpus.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, cpus[i]));
  return out;
}

}  // namespace qaic

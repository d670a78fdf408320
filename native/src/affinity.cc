// Pins the calling thread (a worker thread of an activation) to a set of CPUs with sched_setaffinity(0, ...).
// pid 0 means "the calling thread" on Linux, so the process and other threads keep their affinity.
// Linux only: on other systems the module still loads and reports itself unsupported, so the JS side can say why
// pinning is off instead of failing to load.
#include <napi.h>

#ifdef __linux__
#include <sched.h>
#include <errno.h>
#include <string.h>
#endif

namespace {

Napi::Value ThrowCoded(Napi::Env env, const std::string& message, const char* code) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Supported(const Napi::CallbackInfo& info) {
#ifdef __linux__
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// setAffinity(cpus: number[]): pins the calling thread to exactly these CPU indices.
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "setAffinity expects an array of CPU indices").ThrowAsJavaScriptException();
    return env.Undefined();
  }
#ifdef __linux__
  Napi::Array cpus = info[0].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    Napi::Value v = cpus.Get(i);
    if (!v.IsNumber()) {
      Napi::TypeError::New(env, "setAffinity expects an array of CPU indices").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int64_t cpu = v.As<Napi::Number>().Int64Value();
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      return ThrowCoded(env, "CPU index " + std::to_string(cpu) + " is out of range", "E_AFFINITY");
    }
    CPU_SET(static_cast<int>(cpu), &set);
  }
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    return ThrowCoded(env, std::string("sched_setaffinity failed: ") + strerror(errno), "E_AFFINITY");
  }
  return env.Undefined();
#else
  return ThrowCoded(env, "thread affinity is only implemented on Linux", "E_UNSUPPORTED");
#endif
}

// getAffinity(): the CPU indices the calling thread may run on.
Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    return ThrowCoded(env, std::string("sched_getaffinity failed: ") + strerror(errno), "E_AFFINITY");
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(n++, Napi::Number::New(env, cpu));
  }
  return out;
#else
  return ThrowCoded(env, "thread affinity is only implemented on Linux", "E_UNSUPPORTED");
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("supported", Napi::Function::New(env, Supported));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity));
  return exports;
}

}  // namespace

NODE_API_MODULE(affinity, Init)

// The qaic_engine addon: init(libraryPath), nowNs(), apiVersion, the NativeActivation class (native-api.md), and
// pinThread()/threadAffinity() for the worker engine's threads.
#include "activation_wrap.h"
#include "clock.h"
#include "engine.h"
#include "ort.h"
#include "shared_arena.h"
#include "tensor_out.h"
#include "thread_affinity_js.h"

#include <napi.h>

#include <cstdlib>
#include <mutex>

namespace qaic {
namespace {

std::once_flag exit_handler_once;

void TerminateAtExit() { Engine::TerminateAllForExit(); }

Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::Error::New(env, "init() expects the path of libonnxruntime.so.1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  LoadOutcome outcome = LoadOnnxRuntime(info[0].As<Napi::String>().Utf8Value());
  if (!outcome.ok) {
    Napi::Error::New(env, outcome.text).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // process.exit() calls exit() without tearing environments down: this handler ends the runs in flight (even
  // never-ending ones) so the process can exit, and does so before onnxruntime's own static destructors, which were
  // registered earlier (when the library loaded) and so run later.
  std::call_once(exit_handler_once, [] { std::atexit(TerminateAtExit); });
  Napi::Object result = Napi::Object::New(env);
  result.Set("ortVersion", outcome.text);
  return result;
}

Napi::Value NowNsJs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), NowNs()); }

Napi::Value HeldOutputValuesJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(HeldOutputValues()));
}

Napi::Value SharedArenaLeasesJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(SharedArenaLeases()));
}

}  // namespace

Napi::Object InitializeEngine(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new EnvState());  // owned by napi: deleted with the environment
  exports.Set("apiVersion", Napi::Number::New(env, ORT_API_VERSION));
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("nowNs", Napi::Function::New<NowNsJs>(env, "nowNs"));
  exports.Set("heldOutputValues", Napi::Function::New<HeldOutputValuesJs>(env, "heldOutputValues"));
  exports.Set("sharedArenaLeases", Napi::Function::New<SharedArenaLeasesJs>(env, "sharedArenaLeases"));
  exports.Set("NativeActivation", ActivationWrap::Define(env));
  // the worker engine's threads pin themselves with these; they work without init()
  exports.Set("pinThread", Napi::Function::New<PinThreadJs>(env, "pinThread"));
  exports.Set("threadAffinity", Napi::Function::New<ThreadAffinityJs>(env, "threadAffinity"));
  return exports;
}

}  // namespace qaic

namespace {
Napi::Object Initialize(Napi::Env env, Napi::Object exports) { return qaic::InitializeEngine(env, exports); }
}  // namespace

NODE_API_MODULE(qaic_engine, Initialize)

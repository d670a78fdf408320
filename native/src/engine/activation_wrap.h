// The NativeActivation class JS sees: checks and copies its arguments on the JS thread (throwing a plain Error that
// names what is wrong), then hands them to the Engine.
#pragma once

#include "engine.h"

#include <napi.h>

#include <memory>

namespace qaic {

// Per-environment state of the addon (napi instance data).
struct EnvState {
  // a process 'exit' listener ends this environment's runs before exit() (see Engine::TerminateForExit)
  bool exit_listener = false;
};

class ActivationWrap : public Napi::ObjectWrap<ActivationWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ActivationWrap(const Napi::CallbackInfo& info);
  ~ActivationWrap() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value SetGraph(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Bench(const Napi::CallbackInfo& info);
  Napi::Value EndProfiling(const Napi::CallbackInfo& info);
  Napi::Value MeasurePlacement(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);

  // Copy `feeds` (in the input order of `graph`) into `request`; false after throwing.
  bool ReadFeeds(Napi::Env env, Napi::Value feeds, const Graph& graph, Request* request);

  std::shared_ptr<Engine> engine_;
};

}  // namespace qaic

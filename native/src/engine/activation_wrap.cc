#include "activation_wrap.h"

#include "tensor_in.h"

#include <cmath>

namespace qaic {
namespace {

Napi::Value Throw(Napi::Env env, const std::string& message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsInteger(Napi::Value v, double min, double max) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  return std::isfinite(d) && std::floor(d) == d && d >= min && d <= max;
}

// A graph's registration from (modelPath, inputNames, sessionOptions); false with `error`.
bool ReadGraph(Napi::Value path, Napi::Value names, Napi::Value options, Graph* graph, std::string* error) {
  if (!path.IsString() || path.As<Napi::String>().Utf8Value().empty()) {
    *error = "modelPath must be a non-empty string";
    return false;
  }
  graph->path = path.As<Napi::String>().Utf8Value();
  if (!names.IsArray()) {
    *error = "inputNames must be an array of strings";
    return false;
  }
  Napi::Array array = names.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value name = array.Get(i);
    if (!name.IsString()) {
      *error = "inputNames[" + std::to_string(i) + "] must be a string";
      return false;
    }
    graph->input_names.push_back(name.As<Napi::String>().Utf8Value());
  }
  return ReadSessionConfig(options, &graph->config, error);
}

Napi::Value OnProcessExit(const Napi::CallbackInfo& info) {
  Engine::TerminateForExit(info.Env());
  return info.Env().Undefined();
}

// process.exit() runs 'exit' listeners, then exit(), which runs static destructors, onnxruntime's included, while
// activation threads may still be inside Run (a never-ending one never returns). Ending those runs from an 'exit'
// listener is the last point where it can happen before that; environment cleanup hooks do not run on process.exit().
void ListenForProcessExit(Napi::Env env) {
  EnvState* state = env.GetInstanceData<EnvState>();
  if (state == nullptr || state->exit_listener) return;
  Napi::Value process = env.Global().Get("process");
  if (!process.IsObject()) return;
  Napi::Value on = process.As<Napi::Object>().Get("on");
  if (!on.IsFunction()) return;
  on.As<Napi::Function>().Call(process, {Napi::String::New(env, "exit"), Napi::Function::New<OnProcessExit>(env, "qaicNativeEngineExit")});
  if (env.IsExceptionPending()) {
    env.GetAndClearPendingException();
    return;
  }
  state->exit_listener = true;
}

}  // namespace

Napi::Function ActivationWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeActivation",
                     {
                         InstanceMethod<&ActivationWrap::Start>("start"),
                         InstanceMethod<&ActivationWrap::SetGraph>("setGraph"),
                         InstanceMethod<&ActivationWrap::Run>("run"),
                         InstanceMethod<&ActivationWrap::Cancel>("cancel"),
                         InstanceMethod<&ActivationWrap::Bench>("bench"),
                         InstanceMethod<&ActivationWrap::EndProfiling>("endProfiling"),
                         InstanceMethod<&ActivationWrap::MeasurePlacement>("measurePlacement"),
                         InstanceMethod<&ActivationWrap::Close>("close"),
                         InstanceMethod<&ActivationWrap::Ref>("ref"),
                         InstanceMethod<&ActivationWrap::Unref>("unref"),
                     });
}

ActivationWrap::ActivationWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ActivationWrap>(info) {
  Napi::Env env = info.Env();
  if (!OrtLoaded()) {
    Throw(env, "NativeActivation: call init(libraryPath) first");
    return;
  }
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Throw(env, "NativeActivation expects an event listener function");
    return;
  }
  std::string error;
  engine_ = Engine::Create(env, info[0].As<Napi::Function>(), &error);
  if (!engine_) {
    Throw(env, error);
    return;
  }
  ListenForProcessExit(env);
}

ActivationWrap::~ActivationWrap() {
  // Collected without close(): end the thread the same way (it finishes on its own; nothing blocks here).
  if (engine_) engine_->Close();
}

Napi::Value ActivationWrap::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) return Throw(env, "start() expects a config object");
  Napi::Object config = info[0].As<Napi::Object>();
  Napi::Value index = config.Get("index");
  if (!IsInteger(index, 0, 1e9)) return Throw(env, "start(): config.index must be a non-negative integer");
  auto graph = std::make_shared<Graph>();
  graph->index = 0;
  std::string error;
  if (!ReadGraph(config.Get("modelPath"), config.Get("inputNames"), config.Get("sessionOptions"), graph.get(), &error)) {
    return Throw(env, "start(): config." + error);
  }
  std::vector<int> cpus;
  Napi::Value cpu_list = config.Get("cpus");
  if (!cpu_list.IsUndefined()) {
    if (!cpu_list.IsArray() || cpu_list.As<Napi::Array>().Length() == 0) {
      return Throw(env, "start(): config.cpus must be a non-empty array of CPU indices");
    }
    Napi::Array array = cpu_list.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); i++) {
      Napi::Value cpu = array.Get(i);
      if (!IsInteger(cpu, 0, 1023)) return Throw(env, "start(): config.cpus[" + std::to_string(i) + "] must be an integer from 0 to 1023");
      cpus.push_back(cpu.As<Napi::Number>().Int32Value());
    }
  }
  Napi::Value copy_outputs = config.Get("copyOutputs");
  if (!copy_outputs.IsUndefined() && !copy_outputs.IsBoolean()) return Throw(env, "start(): config.copyOutputs must be a boolean");
  if (!engine_->Start(std::move(graph), std::move(cpus), index.As<Napi::Number>().Int32Value(), &error)) {
    return Throw(env, "start(): " + error);
  }
  // events reach JS only after this call returns, so every output sees the mode
  engine_->set_copy_outputs(copy_outputs.IsBoolean() && copy_outputs.As<Napi::Boolean>().Value());
  return env.Undefined();
}

Napi::Value ActivationWrap::SetGraph(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInteger(info[0], 1, 1e9)) return Throw(env, "setGraph(): index must be an integer >= 1");
  auto graph = std::make_shared<Graph>();
  graph->index = info[0].As<Napi::Number>().Int32Value();
  std::string error;
  if (!ReadGraph(info[1], info[2], info[3], graph.get(), &error)) return Throw(env, "setGraph(): " + error);
  if (!engine_->SetGraph(std::move(graph), &error)) return Throw(env, "setGraph(): " + error);
  return env.Undefined();
}

bool ActivationWrap::ReadFeeds(Napi::Env env, Napi::Value feeds, const Graph& graph, Request* request) {
  if (!feeds.IsArray()) {
    Throw(env, "feeds must be an array of tensors in the graph's input order");
    return false;
  }
  Napi::Array array = feeds.As<Napi::Array>();
  if (array.Length() != graph.input_names.size()) {
    Throw(env, "graph " + std::to_string(graph.index) + " takes " + std::to_string(graph.input_names.size()) +
                   " input(s), got " + std::to_string(array.Length()) + " feed(s)");
    return false;
  }
  for (uint32_t i = 0; i < array.Length(); i++) {
    ValuePtr value;
    std::string error;
    const std::string what = "input '" + graph.input_names[i] + "'";
    if (!CopyInTensor(array.Get(i), what, &value, &error)) {
      Throw(env, error);
      return false;
    }
    request->feeds.push_back(std::move(value));
  }
  OrtRunOptions* raw = nullptr;
  if (auto f = Check(Api().CreateRunOptions(&raw))) {
    Throw(env, f->message);
    return false;
  }
  request->run_options.reset(raw);
  // onnxruntime would also log every failed run at ERROR, a cancel or a timeout included, while the failure comes
  // back as 'run-failed' anyway: runs log at FATAL only, unless the graph asked for a log level of its own.
  const int severity = graph.config.log_severity.value_or(ORT_LOGGING_LEVEL_FATAL);
  if (auto f = Check(Api().RunOptionsSetRunLogSeverityLevel(request->run_options.get(), severity))) {
    Throw(env, f->message);
    return false;
  }
  return true;
}

Napi::Value ActivationWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return Throw(env, "run(): id must be a number");
  if (!IsInteger(info[1], 0, 1e9)) return Throw(env, "run(): graph must be a non-negative integer");
  auto request = std::make_unique<Request>();
  request->kind = Request::Kind::kRun;
  request->id = info[0].As<Napi::Number>().DoubleValue();
  request->graph = info[1].As<Napi::Number>().Int32Value();
  auto graph = engine_->FindGraph(request->graph);
  if (!graph) return Throw(env, "run(): graph " + std::to_string(request->graph) + " is not registered");
  if (!ReadFeeds(env, info[2], *graph, request.get())) return env.Undefined();
  Napi::Value outputs = info[3];
  if (!outputs.IsNull() && !outputs.IsUndefined()) {
    if (!outputs.IsArray()) return Throw(env, "run(): outputs must be null or an array of output names");
    Napi::Array names = outputs.As<Napi::Array>();
    request->all_outputs = false;
    for (uint32_t i = 0; i < names.Length(); i++) {
      Napi::Value name = names.Get(i);
      if (!name.IsString()) return Throw(env, "run(): outputs[" + std::to_string(i) + "] must be a string");
      request->outputs.push_back(name.As<Napi::String>().Utf8Value());
    }
  }
  std::string error;
  if (!engine_->Enqueue(std::move(request), &error)) return Throw(env, "run(): " + error);
  return env.Undefined();
}

Napi::Value ActivationWrap::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return Throw(env, "cancel(): id must be a number");
  return Napi::Boolean::New(env, engine_->Cancel(info[0].As<Napi::Number>().DoubleValue()));
}

Napi::Value ActivationWrap::Bench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return Throw(env, "bench(): id must be a number");
  if (!IsInteger(info[1], 0, 1e9)) return Throw(env, "bench(): graph must be a non-negative integer");
  if (!IsInteger(info[3], 0, 2147483647)) return Throw(env, "bench(): warmup must be a non-negative integer");
  if (!IsInteger(info[4], 1, 1e6)) return Throw(env, "bench(): depth must be a positive integer");
  if (!info[5].IsNumber() || !(info[5].As<Napi::Number>().DoubleValue() >= 0)) {
    return Throw(env, "bench(): seconds must be a number >= 0");
  }
  if (!IsInteger(info[6], 1, 1e6)) return Throw(env, "bench(): parties must be a positive integer");
  Napi::Value control = info[7];
  if (!control.IsTypedArray() || control.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      control.As<Napi::TypedArray>().ElementLength() < 5) {
    return Throw(env, "bench(): control must be an Int32Array of at least 5 slots over a SharedArrayBuffer");
  }
  Napi::Value shared_ctor = env.Global().Get("SharedArrayBuffer");
  Napi::Value buffer = control.As<Napi::Object>().Get("buffer");
  if (!shared_ctor.IsFunction() || !buffer.IsObject() ||
      !buffer.As<Napi::Object>().InstanceOf(shared_ctor.As<Napi::Function>())) {
    return Throw(env, "bench(): control must be an Int32Array over a SharedArrayBuffer (the other activations share it)");
  }
  auto request = std::make_unique<Request>();
  request->kind = Request::Kind::kBench;
  request->id = info[0].As<Napi::Number>().DoubleValue();
  request->graph = info[1].As<Napi::Number>().Int32Value();
  auto graph = engine_->FindGraph(request->graph);
  if (!graph) return Throw(env, "bench(): graph " + std::to_string(request->graph) + " is not registered");
  if (!ReadFeeds(env, info[2], *graph, request.get())) return env.Undefined();
  request->bench.warmup = info[3].As<Napi::Number>().Int32Value();
  request->bench.depth = info[4].As<Napi::Number>().Int32Value();
  request->bench.seconds = info[5].As<Napi::Number>().DoubleValue();
  request->bench.parties = info[6].As<Napi::Number>().Int32Value();
  request->bench.control = control.As<Napi::Int32Array>().Data();
  const double id = request->id;
  std::string error;
  if (!engine_->Enqueue(std::move(request), &error)) return Throw(env, "bench(): " + error);
  // the thread writes into the array until its result is delivered
  engine_->HoldControl(id, Napi::Persistent(control));
  return env.Undefined();
}

Napi::Value ActivationWrap::EndProfiling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto request = std::make_unique<Request>();
  request->kind = Request::Kind::kEndProfiling;
  std::string error;
  if (!engine_->Enqueue(std::move(request), &error)) return Throw(env, "endProfiling(): " + error);
  return env.Undefined();
}

Napi::Value ActivationWrap::MeasurePlacement(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return Throw(env, "measurePlacement(): id must be a number");
  if (!info[1].IsString() || info[1].As<Napi::String>().Utf8Value().empty()) {
    return Throw(env, "measurePlacement(): modelPath must be a non-empty string");
  }
  auto request = std::make_unique<Request>();
  request->kind = Request::Kind::kPlacement;
  request->id = info[0].As<Napi::Number>().DoubleValue();
  request->graph = -1;
  request->placement_path = info[1].As<Napi::String>().Utf8Value();
  std::string error;
  if (!ReadSessionConfig(info[2], &request->placement_config, &error)) return Throw(env, "measurePlacement(): " + error);
  if (!request->placement_config.profile_prefix) {
    return Throw(env, "measurePlacement(): sessionOptions.profileFilePrefix must be set (the placement is read from the profile)");
  }
  OrtRunOptions* raw = nullptr;
  if (auto f = Check(Api().CreateRunOptions(&raw))) return Throw(env, "measurePlacement(): " + f->message);
  request->run_options.reset(raw);
  // the failure comes back as the 'placement' event's error; close() terminating it must not log an ERROR line
  if (auto f = Check(Api().RunOptionsSetRunLogSeverityLevel(request->run_options.get(), ORT_LOGGING_LEVEL_FATAL))) {
    return Throw(env, "measurePlacement(): " + f->message);
  }
  if (!engine_->Enqueue(std::move(request), &error)) return Throw(env, "measurePlacement(): " + error);
  return env.Undefined();
}

Napi::Value ActivationWrap::Close(const Napi::CallbackInfo& info) {
  engine_->Close();
  return info.Env().Undefined();
}

Napi::Value ActivationWrap::Ref(const Napi::CallbackInfo& info) {
  engine_->Ref();
  return info.Env().Undefined();
}

Napi::Value ActivationWrap::Unref(const Napi::CallbackInfo& info) {
  engine_->Unref();
  return info.Env().Undefined();
}

}  // namespace qaic

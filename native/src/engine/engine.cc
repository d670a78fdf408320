#include "engine.h"

#include "bench.h"
#include "clock.h"
#include "dtypes.h"
#include "pinning.h"
#include "shared_arena.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

namespace qaic {
namespace {

// Every live engine of the process, for the exit handler. Non-owning: an engine removes itself when destroyed.
std::mutex registry_mutex;
std::set<Engine*> registry;
// Set by the exit handler: from then on the threads post nothing (the event loop is gone) and leave quickly.
std::atomic<bool> exiting{false};

std::string LoadMessage(const Graph& graph, const OrtFailure& failure) {
  // onnxruntime usually names the file; when it does not, say which one
  if (failure.message.find(graph.path) != std::string::npos) return failure.message;
  return "cannot load '" + graph.path + "': " + failure.message;
}

}  // namespace

std::shared_ptr<Engine> Engine::Create(Napi::Env env, Napi::Function on_event, std::string* error) {
  std::shared_ptr<Engine> engine(new Engine());
  engine->env_ = env;
  // The finalizer runs on the JS thread once the JS side and the thread have both released the function, or when
  // the environment is torn down with the activation still open: either way it ends the thread and joins it there,
  // never blocking on a run (close terminates it first).
  engine->tsfn_ = Napi::ThreadSafeFunction::New(env, on_event, "qaic-native-activation", 0, 1,
                                                [engine](Napi::Env) { engine->CloseAndJoin(); });
  if (env.IsExceptionPending()) {
    Napi::Error e = env.GetAndClearPendingException();
    *error = "cannot create the activation's event channel: " + e.Message();
    return nullptr;
  }
  // Runs before the thread-safe function's own teardown (hooks run in reverse order of registration): with a run in
  // flight at environment teardown (a worker thread ending, the main thread's normal exit) it terminates the run and
  // joins the thread while the function is still valid.
  if (napi_add_env_cleanup_hook(env, CleanupHook, engine.get()) == napi_ok) engine->hook_added_ = true;
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry.insert(engine.get());
  return engine;
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry.erase(this);
  }
  // Only reachable joined: the finalizer joins before the last reference goes. Never terminate the process here.
  if (thread_.joinable()) thread_.detach();
}

void Engine::CleanupHook(void* arg) {
  auto* engine = static_cast<Engine*>(arg);
  engine->hook_added_ = false;
  engine->CloseAndJoin();
}

bool Engine::Start(std::shared_ptr<Graph> graph0, std::vector<int> cpus, int index, std::string* error) {
  if (closed_) {
    *error = "the activation is closed";
    return false;
  }
  if (started_) {
    *error = "start() was already called";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    graphs_[0] = std::move(graph0);
    thread_running_ = true;
  }
  started_ = true;
  // the thread's own count on the function; released when it ends
  tsfn_.Acquire();
  thread_ = std::thread(&Engine::ThreadMain, this, std::move(cpus), index);
  return true;
}

bool Engine::SetGraph(std::shared_ptr<Graph> graph, std::string* error) {
  if (closed_) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = graphs_.find(graph->index);
  // a registration whose model has not loaded (not yet, or its load failed) may be replaced: the next request loads
  // the new one
  if (it != graphs_.end() && it->second->loaded) {
    *error = "graph " + std::to_string(graph->index) + " is already registered and loaded";
    return false;
  }
  graphs_[graph->index] = std::move(graph);
  return true;
}

std::shared_ptr<const Graph> Engine::FindGraph(int index) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = graphs_.find(index);
  return it == graphs_.end() ? nullptr : it->second;
}

bool Engine::Enqueue(std::unique_ptr<Request> request, std::string* error) {
  // after close() a request is dropped without an event: its activation is gone and nobody waits for it
  if (closed_) return true;
  if (!started_) {
    *error = "start() has not been called";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(request));
  }
  wake_.notify_one();
  return true;
}

void Engine::HoldControl(double id, Napi::Reference<Napi::Value> reference) { controls_[id] = std::move(reference); }

bool Engine::Cancel(double id) {
  // close() already ended everything
  if (closed_) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    Request& r = **it;
    if (r.kind == Request::Kind::kEndProfiling || r.id != id) continue;
    std::unique_ptr<Request> dropped = std::move(*it);
    queue_.erase(it);
    dropped->canceled = true;
    Times times;
    times.received = times.run_start = times.run_end = times.posted = NowNs();
    FailRequest(*dropped, EngineFailure("canceled before it started"), true, times);
    return true;
  }
  if (current_ != nullptr && current_->kind != Request::Kind::kEndProfiling && current_->id == id) {
    if (!current_->canceled.exchange(true) && current_->run_options) Check(Api().RunOptionsSetTerminate(current_->run_options.get()));
    return true;
  }
  return false;
}

void Engine::Close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    const double now = NowNs();
    Times times;
    times.received = times.run_start = times.run_end = times.posted = now;
    // posted under the lock, so they reach JS before the thread's 'exit'
    for (auto& r : queue_) {
      r->canceled = true;
      if (r->kind == Request::Kind::kEndProfiling) {
        Event e;
        e.type = Event::Type::kProfile;
        e.message = "the activation was closed";
        Post(std::move(e));
      } else {
        FailRequest(*r, EngineFailure("the activation was closed"), true, times);
      }
    }
    queue_.clear();
    if (current_ != nullptr && !current_->canceled.exchange(true) && current_->run_options) {
      Check(Api().RunOptionsSetTerminate(current_->run_options.get()));
    }
    if (!started_) {
      Event e;
      e.type = Event::Type::kExit;
      Post(std::move(e));
    }
  }
  wake_.notify_all();
  // the JS side's count; the function is finalized (and the thread joined) once the thread released its own too
  tsfn_.Release();
}

void Engine::CloseAndJoin() {
  closed_ = true;
  exiting_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    queue_.clear();
    if (current_ != nullptr && !current_->canceled.exchange(true) && current_->run_options) {
      Check(Api().RunOptionsSetTerminate(current_->run_options.get()));
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (hook_added_) {
    hook_added_ = false;
    napi_remove_env_cleanup_hook(env_, CleanupHook, this);
  }
  controls_.clear();
}

void Engine::Ref() {
  if (!closed_) tsfn_.Ref(Napi::Env(env_));
}

void Engine::Unref() {
  if (!closed_) tsfn_.Unref(Napi::Env(env_));
}

void Engine::BeginExit() {
  std::lock_guard<std::mutex> lock(mutex_);
  exiting_ = true;
  closing_ = true;
  if (current_ != nullptr && !current_->canceled.exchange(true) && current_->run_options) {
    Check(Api().RunOptionsSetTerminate(current_->run_options.get()));
  }
  wake_.notify_all();
}

void Engine::WaitForExit(std::chrono::steady_clock::time_point deadline, bool join) {
  bool ended;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ended = done_.wait_until(lock, deadline, [this] { return !thread_running_; });
  }
  if (ended && join && thread_.joinable()) thread_.join();
}

void Engine::TerminateForExit(napi_env env) {
  std::lock_guard<std::mutex> registry_lock(registry_mutex);
  for (Engine* engine : registry) {
    if (engine->env_ == env) engine->BeginExit();
  }
  // Bounded: a session still loading cannot be stopped, and exit must not hang on it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (Engine* engine : registry) {
    if (engine->env_ == env) engine->WaitForExit(deadline, true);
  }
}

void Engine::TerminateAllForExit() {
  exiting = true;
  std::lock_guard<std::mutex> registry_lock(registry_mutex);
  for (Engine* engine : registry) engine->BeginExit();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  // not joined: this may run on a thread other than the one that owns the engine
  for (Engine* engine : registry) engine->WaitForExit(deadline, false);
}

void Engine::Post(Event event) {
  if (exiting || exiting_) return;
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    events_.push_back(std::move(event));
  }
  // One call per event, each delivering the oldest: an exception thrown by one listener call cannot drop the others.
  tsfn_.NonBlockingCall([this](Napi::Env env, Napi::Function on_event) { Dispatch(env, on_event); });
}

void Engine::Dispatch(Napi::Env env, Napi::Function on_event) {
  // During environment teardown (events still queued when the loop ends) JS cannot be called: drop them. The addon
  // is also built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, so a napi call failing there is not fatal either.
  if (env == nullptr || exiting_) return;
  Event event;
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    if (events_.empty()) return;
    event = std::move(events_.front());
    events_.pop_front();
  }
  if (event.type == Event::Type::kBenchResult) controls_.erase(event.id);
  Napi::HandleScope scope(env);
  Napi::Object object = EventToJs(env, event, copy_outputs_);
  on_event.Call({object});
}

void Engine::ThreadMain(std::vector<int> cpus, int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "qaic-act-%d", index);
  pthread_setname_np(pthread_self(), name);

  std::optional<OrtFailure> failure;
  std::optional<std::vector<int>> pinned;
  if (!cpus.empty()) {
    std::string reason;
    std::vector<int> got;
    if (PinCurrentThread(cpus, &reason) && CurrentAffinity(&got, &reason)) {
      pinned = std::move(got);
    } else {
      failure = EngineFailure("cannot pin the activation thread to CPUs [" + CpuList(cpus) + "]: " + reason);
    }
  }
  std::shared_ptr<Graph> graph0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    graph0 = graphs_[0];
  }
  const double create_start = NowNs();
  if (!failure) {
    failure = LoadGraph(*graph0);
    if (failure) failure->message = LoadMessage(*graph0, *failure);
  }
  Event ready;
  if (failure) {
    ready.type = Event::Type::kLoadFailed;
    ready.message = failure->message;
    ready.ort_code = failure->code;
  } else {
    ready.type = Event::Type::kReady;
    ready.create_start_ns = create_start;
    ready.create_ms = (NowNs() - create_start) / 1e6;
    ready.pinned = std::move(pinned);
  }
  Post(std::move(ready));

  for (;;) {
    std::unique_ptr<Request> request;
    std::shared_ptr<Graph> graph;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (closing_) break;
      request = std::move(queue_.front());
      queue_.pop_front();
      current_ = request.get();
      auto it = graphs_.find(request->graph);
      if (it != graphs_.end()) graph = it->second;
    }
    request->received = NowNs();
    if (request->kind == Request::Kind::kEndProfiling) {
      HandleEndProfiling();
    } else if (request->kind == Request::Kind::kPlacement) {
      HandlePlacement(*request);
    } else if (graph == nullptr) {
      // run() and bench() check the graph exists; kept for safety
      FailRequest(*request, EngineFailure("graph " + std::to_string(request->graph) + " is not registered"), false, Times{});
    } else if (request->kind == Request::Kind::kBench) {
      HandleBench(*request, *graph);
    } else {
      HandleRun(*request, *graph);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = nullptr;
  }

  ReleaseSessions();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    thread_running_ = false;
  }
  done_.notify_all();
  if (exiting || exiting_) return;
  Event exit_event;
  exit_event.type = Event::Type::kExit;
  Post(std::move(exit_event));
  tsfn_.Release();
}

std::optional<OrtFailure> Engine::LoadGraph(Graph& graph) {
  const OrtApi& api = Api();
  SessionOptionsPtr options;
  SessionConfig config = graph.config;
  if (profiling_ended_) config.profile_prefix.reset();
  // The shared arena (shared_arena.h) unless the options turned onnxruntime's CPU arena off: that choice is kept.
  std::unique_ptr<SharedArenaLease> arena;
  if (config.cpu_mem_arena.value_or(true)) arena = LeaseSharedArena();
  if (arena) config.config_entries.emplace_back(kUseEnvAllocatorsKey, "1");
  if (auto f = MakeSessionOptions(config, &options)) return f;
  graph.create_start_ns = NowNs();
  OrtSession* raw = nullptr;
  if (auto f = Check(api.CreateSession(Env(), graph.path.c_str(), options.get(), &raw))) return f;
  SessionPtr session(raw);
  OrtAllocator* allocator = nullptr;
  if (auto f = Check(api.GetAllocatorWithDefaultOptions(&allocator))) return f;
  size_t count = 0;
  if (auto f = Check(api.SessionGetOutputCount(session.get(), &count))) return f;
  std::vector<std::string> names;
  for (size_t i = 0; i < count; i++) {
    char* name = nullptr;
    if (auto f = Check(api.SessionGetOutputName(session.get(), i, allocator, &name))) return f;
    AllocatedString owned(name, AllocatorFree{allocator});
    names.emplace_back(owned.get());
  }
  // feeds are matched to inputs by the names given at registration: a model whose inputs differ was prepared wrong
  size_t input_count = 0;
  if (auto f = Check(api.SessionGetInputCount(session.get(), &input_count))) return f;
  std::vector<std::string> inputs;
  for (size_t i = 0; i < input_count; i++) {
    char* name = nullptr;
    if (auto f = Check(api.SessionGetInputName(session.get(), i, allocator, &name))) return f;
    AllocatedString owned(name, AllocatorFree{allocator});
    inputs.emplace_back(owned.get());
  }
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (sorted(inputs) != sorted(graph.input_names)) {
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& n : v) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    return EngineFailure("graph " + std::to_string(graph.index) + "'s inputs as registered (" + join(graph.input_names) +
                         ") are not those of '" + graph.path + "' (" + join(inputs) + ")");
  }
  graph.output_names = std::move(names);
  graph.session = std::move(session);
  graph.arena = std::move(arena);
  graph.loaded = true;
  return std::nullopt;
}

std::optional<OrtFailure> Engine::EnsureLoaded(Graph& graph) {
  if (graph.session) return std::nullopt;
  const bool lazy = graph.index != 0;
  if (lazy) {
    Event loading;
    loading.type = Event::Type::kGraphLoading;
    loading.graph = graph.index;
    loading.file = graph.path;
    Post(std::move(loading));
  }
  auto failure = LoadGraph(graph);
  if (failure) failure->message = LoadMessage(graph, *failure);
  if (lazy) {
    Event loaded;
    loaded.type = Event::Type::kGraphLoaded;
    loaded.graph = graph.index;
    if (failure) loaded.message = failure->message;
    Post(std::move(loaded));
  }
  // the requests already waiting for this graph fail with it; the next one to arrive tries again
  if (failure) FailQueuedForGraph(graph.index, *failure);
  return failure;
}

void Engine::FailRequest(Request& request, const OrtFailure& failure, bool canceled, const Times& times) {
  Event e;
  e.id = request.id;
  e.message = failure.message;
  if (request.kind == Request::Kind::kPlacement) {
    e.type = Event::Type::kPlacement;
  } else if (request.kind == Request::Kind::kBench) {
    e.type = Event::Type::kBenchResult;
    // the other activations must not wait for this one at the barrier (slot abort of BENCH_SLOT)
    if (request.bench.control != nullptr) __atomic_store_n(request.bench.control + 3, 1, __ATOMIC_SEQ_CST);
  } else {
    e.type = Event::Type::kRunFailed;
    e.ort_code = failure.code;
    e.canceled = canceled;
    e.times = times;
    if (e.times.posted == 0) e.times.posted = NowNs();
  }
  Post(std::move(e));
}

void Engine::FailQueuedForGraph(int graph, const OrtFailure& failure) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end();) {
    if ((*it)->kind != Request::Kind::kEndProfiling && (*it)->graph == graph) {
      Times times;
      times.received = NowNs();
      FailRequest(**it, failure, false, times);
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {

// The C arrays Run takes, pointing into `graph` and `request`, which outlive them.
struct RunArguments {
  std::vector<const char*> input_names;
  std::vector<const OrtValue*> inputs;
  std::vector<const char*> output_names;
};

RunArguments Arguments(const Graph& graph, const Request& request) {
  RunArguments args;
  for (const auto& n : graph.input_names) args.input_names.push_back(n.c_str());
  for (const auto& v : request.feeds) args.inputs.push_back(v.get());
  const auto& outputs = request.all_outputs ? graph.output_names : request.outputs;
  for (const auto& n : outputs) args.output_names.push_back(n.c_str());
  return args;
}

}  // namespace

void Engine::HandleRun(Request& request, Graph& graph) {
  Times times;
  times.received = request.received;
  if (request.canceled) {
    FailRequest(request, EngineFailure("canceled before it started"), true, times);
    return;
  }
  if (auto f = EnsureLoaded(graph)) {
    FailRequest(request, *f, false, times);
    return;
  }
  RunArguments args = Arguments(graph, request);
  std::vector<OrtValue*> raw_outputs(args.output_names.size(), nullptr);
  times.run_start = NowNs();
  OrtStatus* status = Api().Run(graph.session.get(), request.run_options.get(), args.input_names.data(),
                                args.inputs.data(), args.inputs.size(), args.output_names.data(),
                                args.output_names.size(), raw_outputs.data());
  times.run_end = NowNs();
  std::vector<ValuePtr> outputs;
  for (OrtValue* v : raw_outputs) outputs.emplace_back(v);
  auto failure = Check(status);
  if (request.canceled) {
    // cancel() promised a canceled failure, even when the run finished before the terminate took effect
    FailRequest(request, failure ? *failure : EngineFailure("canceled"), true, times);
    return;
  }
  if (failure) {
    FailRequest(request, *failure, false, times);
    return;
  }
  Event e;
  e.type = Event::Type::kResult;
  e.id = request.id;
  const auto& names = request.all_outputs ? graph.output_names : request.outputs;
  for (size_t i = 0; i < outputs.size(); i++) {
    OutputTensor tensor;
    if (auto f = TakeOutput(names[i], std::move(outputs[i]), &tensor)) {
      FailRequest(request, *f, false, times);
      return;
    }
    e.outputs.push_back(std::move(tensor));
  }
  times.posted = NowNs();
  e.times = times;
  Post(std::move(e));
}

void Engine::HandleBench(Request& request, Graph& graph) {
  if (request.canceled) {
    FailRequest(request, EngineFailure("the benchmark was canceled"), true, Times{});
    return;
  }
  if (auto f = EnsureLoaded(graph)) {
    FailRequest(request, *f, false, Times{});
    return;
  }
  RunArguments args = Arguments(graph, request);
  BenchJob job{graph.session.get(), request.run_options.get(), &args.input_names, &args.inputs, &args.output_names,
               &request.canceled};
  BenchOutcome outcome = RunBenchmark(job, request.bench);
  Event e;
  e.type = Event::Type::kBenchResult;
  e.id = request.id;
  e.count = static_cast<double>(outcome.samples.size());
  e.start_ns = outcome.start_ns;
  e.end_ns = outcome.end_ns;
  e.warmup_ns = outcome.warmup_ns;
  e.samples = std::move(outcome.samples);
  e.message = std::move(outcome.error);
  Post(std::move(e));
}

void Engine::HandleEndProfiling() {
  Event e;
  e.type = Event::Type::kProfile;
  std::vector<std::shared_ptr<Graph>> graphs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [index, graph] : graphs_) graphs.push_back(graph);
  }
  OrtAllocator* allocator = nullptr;
  if (auto f = Check(Api().GetAllocatorWithDefaultOptions(&allocator))) {
    e.message = f->message;
    Post(std::move(e));
    return;
  }
  if (profiling_ended_) {
    e.message = "this activation already ended its profile (onnxruntime cannot restart profiling)";
    Post(std::move(e));
    return;
  }
  bool any = false;
  for (auto& graph : graphs) {
    if (!graph->config.profile_prefix) continue;
    any = true;
    if (!graph->session) continue;
    char* file = nullptr;
    if (auto f = Check(Api().SessionEndProfiling(graph->session.get(), allocator, &file))) {
      e.message = (e.message ? *e.message + "; " : std::string()) + "graph " + std::to_string(graph->index) + ": " + f->message;
      continue;
    }
    AllocatedString owned(file, AllocatorFree{allocator});
    e.files.push_back(ProfileFile{graph->index, owned ? owned.get() : "", graph->create_start_ns});
  }
  if (!any) {
    e.message = "this activation is not profiling";
  } else {
    profiling_ended_ = true;
  }
  Post(std::move(e));
}

namespace {

// Load `request.placement_path` in a session of its own (profiled, as the request's options say), run it once on zeros
// (each symbolic dim as 1) and end its profile: onnxruntime's node events there say which provider ran each node.
// Fills `event`'s file and shapes.
std::optional<OrtFailure> MeasurePlacement(Request& request, Event* event) {
  const OrtApi& api = Api();
  SessionOptionsPtr options;
  if (auto f = MakeSessionOptions(request.placement_config, &options)) return f;
  OrtSession* raw_session = nullptr;
  if (auto f = Check(api.CreateSession(Env(), request.placement_path.c_str(), options.get(), &raw_session))) return f;
  SessionPtr session(raw_session);
  OrtAllocator* allocator = nullptr;
  if (auto f = Check(api.GetAllocatorWithDefaultOptions(&allocator))) return f;
  size_t input_count = 0;
  if (auto f = Check(api.SessionGetInputCount(session.get(), &input_count))) return f;
  std::vector<std::string> input_names;
  std::vector<ValuePtr> inputs;
  for (size_t i = 0; i < input_count; i++) {
    char* name = nullptr;
    if (auto f = Check(api.SessionGetInputName(session.get(), i, allocator, &name))) return f;
    AllocatedString owned(name, AllocatorFree{allocator});
    input_names.emplace_back(owned.get());
    OrtTypeInfo* raw_type = nullptr;
    if (auto f = Check(api.SessionGetInputTypeInfo(session.get(), i, &raw_type))) return f;
    TypeInfoPtr type(raw_type);
    const OrtTensorTypeAndShapeInfo* tensor = nullptr;
    if (auto f = Check(api.CastTypeInfoToTensorInfo(type.get(), &tensor))) return f;
    if (tensor == nullptr) return EngineFailure("input '" + input_names.back() + "' is not a tensor");
    ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    if (auto f = Check(api.GetTensorElementType(tensor, &element))) return f;
    const DTypeInfo* dtype = DTypeByOnnx(element);
    if (dtype == nullptr) return EngineFailure("input '" + input_names.back() + "' has an element type the engine does not carry");
    size_t rank = 0;
    if (auto f = Check(api.GetDimensionsCount(tensor, &rank))) return f;
    std::vector<int64_t> dims(rank);
    if (auto f = Check(api.GetDimensions(tensor, dims.data(), rank))) return f;
    size_t elements = 1;
    for (auto& d : dims) {
      if (d < 0) d = 1;
      elements *= static_cast<size_t>(d);
    }
    OrtValue* raw_value = nullptr;
    if (auto f = Check(api.CreateTensorAsOrtValue(allocator, dims.data(), dims.size(), element, &raw_value))) return f;
    ValuePtr value(raw_value);
    // strings are created empty; every other type is zeroed here (the allocator's memory is not)
    if (dtype->bytes > 0 && elements > 0) {
      void* data = nullptr;
      if (auto f = Check(api.GetTensorMutableData(value.get(), &data))) return f;
      std::memset(data, 0, elements * dtype->bytes);
    }
    inputs.push_back(std::move(value));
    event->shapes.emplace_back(input_names.back(), std::move(dims));
  }
  size_t output_count = 0;
  if (auto f = Check(api.SessionGetOutputCount(session.get(), &output_count))) return f;
  std::vector<std::string> output_names;
  for (size_t i = 0; i < output_count; i++) {
    char* name = nullptr;
    if (auto f = Check(api.SessionGetOutputName(session.get(), i, allocator, &name))) return f;
    AllocatedString owned(name, AllocatorFree{allocator});
    output_names.emplace_back(owned.get());
  }
  std::vector<const char*> in_names;
  std::vector<const OrtValue*> in_values;
  std::vector<const char*> out_names;
  for (size_t i = 0; i < inputs.size(); i++) {
    in_names.push_back(input_names[i].c_str());
    in_values.push_back(inputs[i].get());
  }
  for (const auto& n : output_names) out_names.push_back(n.c_str());
  std::vector<OrtValue*> raw_outputs(out_names.size(), nullptr);
  OrtStatus* status = api.Run(session.get(), request.run_options.get(), in_names.data(), in_values.data(),
                              in_values.size(), out_names.data(), out_names.size(), raw_outputs.data());
  std::vector<ValuePtr> outputs;
  for (OrtValue* v : raw_outputs) outputs.emplace_back(v);
  if (auto f = Check(status)) return f;
  char* file = nullptr;
  if (auto f = Check(api.SessionEndProfiling(session.get(), allocator, &file))) return f;
  AllocatedString owned_file(file, AllocatorFree{allocator});
  event->file = owned_file ? owned_file.get() : "";
  return std::nullopt;
}

}  // namespace

void Engine::HandlePlacement(Request& request) {
  if (request.canceled) {
    FailRequest(request, EngineFailure("canceled before it started"), true, Times{});
    return;
  }
  Event e;
  e.type = Event::Type::kPlacement;
  e.id = request.id;
  if (auto f = MeasurePlacement(request, &e)) {
    e.message = request.canceled ? "the activation was closed" : f->message;
    e.shapes.clear();
  }
  Post(std::move(e));
}

void Engine::ReleaseSessions() {
  std::vector<std::shared_ptr<Graph>> graphs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [index, graph] : graphs_) graphs.push_back(graph);
  }
  for (auto& graph : graphs) {
    graph->session.reset();
    graph->arena.reset();
  }
}

}  // namespace qaic

// One activation: a native thread owning one OrtSession per graph, a request queue guarded by a mutex and a condition
// variable, and one thread-safe function carrying every event back to JS. The JS-facing object (activation_wrap) only
// validates arguments and forwards here.
#pragma once

#include "events.h"
#include "ort.h"
#include "session_config.h"
#include "shared_arena.h"
#include "status.h"

#include <napi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace qaic {

// A model registered with an activation. The path, input names and config never change after registration (the JS
// thread reads them to name inputs); the session and its output names belong to the activation thread.
struct Graph {
  int index = 0;
  std::string path;
  std::vector<std::string> input_names;
  SessionConfig config;

  SessionPtr session;
  // the lease on the shared CPU arena the session allocates from; null when it has an arena of its own. Released
  // after the session.
  std::unique_ptr<SharedArenaLease> arena;
  std::vector<std::string> output_names;
  double create_start_ns = 0;
  // set by the activation thread once the session loaded: from then on setGraph() cannot replace the registration
  std::atomic<bool> loaded{false};
};

struct BenchParams {
  int warmup = 0;
  int depth = 1;
  double seconds = 0;
  int parties = 1;
  // the Int32Array over the shared control block (BENCH_SLOT of protocol.ts); JS keeps it alive until the result
  int32_t* control = nullptr;
};

struct Request {
  enum class Kind { kRun, kBench, kEndProfiling, kPlacement };
  Kind kind = Kind::kRun;
  double id = 0;
  int graph = 0;
  std::vector<ValuePtr> feeds;
  // empty with all_outputs: every output of the graph
  std::vector<std::string> outputs;
  bool all_outputs = true;
  // its own run options, so that cancel() terminates exactly this request's Run
  RunOptionsPtr run_options;
  BenchParams bench;
  // kPlacement: the model to measure and the options of its own, profiled session (graph is -1: no graph's load
  // failure fails it)
  std::string placement_path;
  SessionConfig placement_config;
  // set (under the engine's mutex) by cancel() and close(); read by the activation thread
  std::atomic<bool> canceled{false};
  double received = 0;
};

class Engine {
 public:
  // Creates the thread-safe function over `on_event`. Returns nullptr with `error` on failure. JS thread.
  static std::shared_ptr<Engine> Create(Napi::Env env, Napi::Function on_event, std::string* error);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- JS thread ---
  // Register graph 0 and start the thread (it pins itself to `cpus` when not empty, then loads graph 0).
  bool Start(std::shared_ptr<Graph> graph0, std::vector<int> cpus, int index, std::string* error);
  // Deliver outputs as copies (the onnxruntime values released at once) instead of external buffers.
  void set_copy_outputs(bool copy) { copy_outputs_ = copy; }
  bool SetGraph(std::shared_ptr<Graph> graph, std::string* error);
  // The registered graph `index`, or nullptr.
  std::shared_ptr<const Graph> FindGraph(int index);
  // Queue a request; false with `error` after close() or before start().
  bool Enqueue(std::unique_ptr<Request> request, std::string* error);
  bool Cancel(double id);
  void Close();
  bool closed() const { return closed_; }
  void Ref();
  void Unref();
  // Keep the benchmark's control array alive until its result is delivered.
  void HoldControl(double id, Napi::Reference<Napi::Value> reference);

  // process.on('exit') of `env` (process.exit() or the loop running dry): end the runs in flight of this env's
  // activations and wait, bounded, for their threads to finish, before exit() runs static destructors. JS thread.
  static void TerminateForExit(napi_env env);
  // The same for every activation of the process, from an atexit handler (a backstop for exits that skip 'exit').
  static void TerminateAllForExit();

 private:
  Engine() = default;

  // --- any thread ---
  void Post(Event event);

  // --- JS thread ---
  void Dispatch(Napi::Env env, Napi::Function on_event);
  // Terminate and join without posting events: the thread-safe function is being finalized or the env torn down.
  void CloseAndJoin();
  static void CleanupHook(void* arg);
  // Terminate the run in flight and let the thread end without posting; `registry_mutex` held.
  void BeginExit();
  // Wait until the thread ended or `deadline`; joins it when it did. JS thread, `registry_mutex` held.
  void WaitForExit(std::chrono::steady_clock::time_point deadline, bool join);

  // --- activation thread ---
  void ThreadMain(std::vector<int> cpus, int index);
  std::optional<OrtFailure> LoadGraph(Graph& graph);
  // Loads `graph` on first use with graph-loading/graph-loaded events; on failure fails the queued requests for it.
  std::optional<OrtFailure> EnsureLoaded(Graph& graph);
  void HandleRun(Request& request, Graph& graph);
  void HandleBench(Request& request, Graph& graph);
  void HandleEndProfiling();
  void HandlePlacement(Request& request);
  void FailRequest(Request& request, const OrtFailure& failure, bool canceled, const Times& times);
  void FailQueuedForGraph(int graph, const OrtFailure& failure);
  void ReleaseSessions();

  Napi::ThreadSafeFunction tsfn_;
  napi_env env_ = nullptr;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Request>> queue_;
  // the request the thread is working on, or nullptr; owned by the thread, cleared under mutex_ before it is freed
  Request* current_ = nullptr;
  std::map<int, std::shared_ptr<Graph>> graphs_;
  bool closing_ = false;
  // the thread is between its start and its end (the exit handler waits for it to leave)
  bool thread_running_ = false;
  // the process is exiting or the environment is being torn down: nothing more is posted or delivered (JS can no
  // longer be called), and the thread releases nothing of N-API's
  std::atomic<bool> exiting_{false};
  std::condition_variable done_;

  std::mutex events_mutex_;
  std::deque<Event> events_;

  std::thread thread_;
  // activation thread: endProfiling() ran; onnxruntime cannot restart a session's profiler, so graphs loaded later
  // are not profiled (nobody would end their profiles) and a second endProfiling() says so
  bool profiling_ended_ = false;
  // JS thread state
  bool started_ = false;
  bool closed_ = false;
  bool hook_added_ = false;
  bool copy_outputs_ = false;
  std::map<double, Napi::Reference<Napi::Value>> controls_;
};

}  // namespace qaic

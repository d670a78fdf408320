#include "bench.h"

#include "clock.h"
#include "engine.h"
#include "status.h"

#include <time.h>

namespace qaic {
namespace {

// Slots of protocol.ts BENCH_SLOT.
constexpr int kArrived = 0;
constexpr int kGo = 1;
constexpr int kRemaining = 2;
constexpr int kAbort = 3;
constexpr int kCompleted = 4;

// The control block is an Int32Array over a SharedArrayBuffer that JS threads use with Atomics (sequentially
// consistent); the same-width sequentially consistent builtins interoperate with them.
int32_t Load(int32_t* control, int slot) { return __atomic_load_n(control + slot, __ATOMIC_SEQ_CST); }
void Store(int32_t* control, int slot, int32_t v) { __atomic_store_n(control + slot, v, __ATOMIC_SEQ_CST); }
int32_t FetchAdd(int32_t* control, int slot, int32_t v) { return __atomic_fetch_add(control + slot, v, __ATOMIC_SEQ_CST); }

void SleepNs(long ns) {
  timespec ts{0, ns};
  nanosleep(&ts, nullptr);
}

// One inference; its outputs are released at once.
std::optional<OrtFailure> RunOnce(const BenchJob& job) {
  std::vector<OrtValue*> outputs(job.output_names->size(), nullptr);
  OrtStatus* status = Api().Run(job.session, job.run_options, job.input_names->data(), job.inputs->data(),
                                job.inputs->size(), job.output_names->data(), outputs.size(), outputs.data());
  for (OrtValue* v : outputs) ValuePtr released(v);
  return Check(status);
}

}  // namespace

BenchOutcome RunBenchmark(const BenchJob& job, const BenchParams& params) {
  BenchOutcome out;
  int32_t* control = params.control;
  std::vector<double> completions;
  auto fail = [&](std::string message) {
    // everyone stops: the other activations see abort while waiting at the barrier or claiming
    Store(control, kAbort, 1);
    out.error = std::move(message);
    out.samples.clear();
    return out;
  };

  const double w0 = NowNs();
  for (int i = 0; i < params.warmup; i++) {
    if (job.canceled->load()) return fail("the benchmark was canceled");
    if (auto f = RunOnce(job)) return fail(job.canceled->load() ? "the benchmark was canceled" : f->message);
  }
  out.warmup_ns = NowNs() - w0;

  if (FetchAdd(control, kArrived, 1) + 1 >= params.parties) Store(control, kGo, 1);
  const double give_up = NowNs() + 120e9;
  while (Load(control, kGo) == 0) {
    if (Load(control, kAbort) != 0) return fail("another activation failed during the benchmark warm-up");
    if (job.canceled->load()) return fail("the benchmark was canceled");
    if (NowNs() > give_up) return fail("the other activations did not finish their benchmark warm-up within 120 s");
    // poll at 0.5 ms: measuring starts at most that late, and JS participants' Atomics.notify cannot wake this thread
    SleepNs(500000);
  }

  out.start_ns = NowNs();
  const double deadline = params.seconds > 0 ? out.start_ns + params.seconds * 1e9 : 0;
  const size_t depth = params.depth > 0 ? static_cast<size_t>(params.depth) : 1;
  for (;;) {
    if (Load(control, kAbort) != 0 || job.canceled->load()) break;
    if (deadline > 0 && NowNs() >= deadline) break;
    if (FetchAdd(control, kRemaining, -1) <= 0) break;
    if (auto f = RunOnce(job)) return fail(job.canceled->load() ? "the benchmark was canceled" : f->message);
    const double t1 = NowNs();
    // One inference at a time models `depth` in flight as a closed loop: sample k was issued when sample k-depth
    // completed, so its latency is issue-to-completion with `depth` queued, as the run path sees it.
    const size_t k = completions.size();
    out.samples.push_back(t1 - (k >= depth ? completions[k - depth] : out.start_ns));
    completions.push_back(t1);
    FetchAdd(control, kCompleted, 1);
    out.end_ns = t1;
  }
  if (job.canceled->load()) return fail("the benchmark was canceled");

  if (deadline > 0 && out.end_ns > deadline) {
    // Time mode measures a fixed window: keep what completed inside [start, deadline], as worker.ts does. When
    // nothing did (one run outlasts the window), the window runs to the first completion.
    std::vector<double> kept;
    for (size_t i = 0; i < completions.size(); i++) {
      if (completions[i] <= deadline) kept.push_back(out.samples[i]);
    }
    if (!kept.empty()) {
      out.samples = std::move(kept);
      out.end_ns = deadline;
    }
  }
  return out;
}

}  // namespace qaic

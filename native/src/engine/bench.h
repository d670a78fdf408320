// The benchmark loop, run on the activation thread with no JS per inference (the native counterpart of worker.ts
// runBenchmarkLoop): warm-up, a barrier with the other activations on the shared control block, then inferences
// claimed from the shared count until it runs out, another activation aborts, or the time is up.
#pragma once

#include "ort.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace qaic {

struct BenchParams;

struct BenchJob {
  OrtSession* session;
  OrtRunOptions* run_options;
  const std::vector<const char*>* input_names;
  const std::vector<const OrtValue*>* inputs;
  const std::vector<const char*>* output_names;
  // cancel() or close() on this request
  const std::atomic<bool>* canceled;
};

struct BenchOutcome {
  double start_ns = 0;
  double end_ns = 0;
  double warmup_ns = 0;
  std::vector<double> samples;
  std::optional<std::string> error;
};

BenchOutcome RunBenchmark(const BenchJob& job, const BenchParams& params);

}  // namespace qaic

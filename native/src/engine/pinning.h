// Pinning a thread to CPUs: an activation thread pins itself before it loads its model, and the worker engine's
// threads pin themselves through the addon's pinThread() (thread_affinity_js.cc). The thread pins itself
// (pthread_setaffinity_np on pthread_self()), so the process and every other thread keep their affinity.
// onnxruntime's intra-op threads are pinned separately, through the session config entry
// session.intra_op_thread_affinities.
#pragma once

#include <string>
#include <vector>

namespace qaic {

// Pin the calling thread to exactly `cpus`. False with `reason` (the OS's words, or which CPU is out of range) on
// failure; callers say which thread and which CPUs.
bool PinCurrentThread(const std::vector<int>& cpus, std::string* reason);

// The CPUs the calling thread may run on, as sched_getaffinity reports them. False with `reason` on failure.
bool CurrentAffinity(std::vector<int>* cpus, std::string* reason);

// "0, 1, 5": a CPU list for messages.
std::string CpuList(const std::vector<int>& cpus);

}  // namespace qaic

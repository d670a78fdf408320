// Pinning an activation thread to CPUs. The thread pins itself (pthread_setaffinity_np on pthread_self()), so the
// process and every other thread keep their affinity. onnxruntime's intra-op threads are pinned separately, through
// the session config entry session.intra_op_thread_affinities.
#pragma once

#include <string>
#include <vector>

namespace qaic {

// Pin the calling thread to exactly `cpus`. False with `error` (naming the CPUs and the OS's reason) on failure.
bool PinCurrentThread(const std::vector<int>& cpus, std::string* error);

// The CPUs the calling thread may run on, as sched_getaffinity reports them.
std::vector<int> CurrentAffinity();

}  // namespace qaic

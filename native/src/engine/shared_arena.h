// One CPU arena for every graph session of the native engine in this process, registered on onnxruntime's env while
// any session holds a lease on it.
//
// Why: each onnxruntime session otherwise grows an arena of its own to the peak of its graph's intermediates and
// keeps it for its life. An activation that holds several graphs (specializations, pruned output sets) runs one of
// them at a time, so private arenas hold several peaks where one is used; a shared arena holds what runs at once.
// Measured on PP-OCRv4 det (landscape + portrait, 2 activations): 17 MiB of RSS per extra graph per activation with
// private arenas, 5 MiB with the shared one, at the same throughput.
//
// The env is process-wide and onnxruntime allows one registered CPU allocator, so the arena is shared by every
// activation of every Session, not per activation. It is unregistered when the last lease goes; sessions and output
// values keep their own reference to it, so memory returns to the system when the last of them is released.
#pragma once

#include <memory>

namespace qaic {

// Held by a graph beside its session: while any lease lives, the shared arena is registered on the env.
class SharedArenaLease {
 public:
  SharedArenaLease(const SharedArenaLease&) = delete;
  SharedArenaLease& operator=(const SharedArenaLease&) = delete;
  ~SharedArenaLease();

 private:
  friend std::unique_ptr<SharedArenaLease> LeaseSharedArena();
  SharedArenaLease() = default;
};

// A lease on the shared arena, registering it first when no lease is held. Null when onnxruntime failed to create or
// register it: the caller then leaves the session on its own arena, which only costs memory. Thread-safe.
// onnxruntime 1.30's CreateAndRegisterAllocator replaces a CPU allocator already registered on the env (none is,
// unless code outside this library registered one: onnxruntime-node has no call for it), and the last lease's
// unregister leaves the env with none, onnxruntime's default.
std::unique_ptr<SharedArenaLease> LeaseSharedArena();

// How many leases are held now, in this process: the graph sessions allocating from the shared arena (diagnostics and
// tests: 0 means it is unregistered).
int SharedArenaLeases();

// The session config entry that makes a session take its CPU allocator from the env ("session.use_env_allocators").
extern const char* const kUseEnvAllocatorsKey;

}  // namespace qaic

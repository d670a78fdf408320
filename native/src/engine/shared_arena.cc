#include "shared_arena.h"

#include "ort.h"
#include "status.h"

#include <mutex>

namespace qaic {
namespace {

// Guards `leases` and the registration it implies: registered exactly while leases > 0. A counter rather than a
// weak_ptr, so that the last release's unregister cannot interleave with the next first lease's register.
std::mutex arena_mutex;
int leases = 0;

MemoryInfoPtr CpuArenaInfo() {
  OrtMemoryInfo* raw = nullptr;
  // a failure leaves raw null; callers treat a null info as "cannot share"
  if (Check(Api().CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &raw))) return nullptr;
  return MemoryInfoPtr(raw);
}

}  // namespace

const char* const kUseEnvAllocatorsKey = "session.use_env_allocators";

std::unique_ptr<SharedArenaLease> LeaseSharedArena() {
  std::lock_guard<std::mutex> lock(arena_mutex);
  if (leases == 0) {
    MemoryInfoPtr info = CpuArenaInfo();
    if (!info) return nullptr;
    // null arena config: onnxruntime's defaults (grow by powers of two, no limit), as a session's own arena has
    if (Check(Api().CreateAndRegisterAllocator(Env(), info.get(), nullptr))) return nullptr;
  }
  leases++;
  return std::unique_ptr<SharedArenaLease>(new SharedArenaLease());
}

int SharedArenaLeases() {
  std::lock_guard<std::mutex> lock(arena_mutex);
  return leases;
}

SharedArenaLease::~SharedArenaLease() {
  std::lock_guard<std::mutex> lock(arena_mutex);
  if (--leases > 0) return;
  MemoryInfoPtr info = CpuArenaInfo();
  // Unregistering only drops the env's reference: sessions and values still holding the arena keep it alive. A
  // failure here leaves it registered, and the next first lease's register then fails and falls back to private
  // arenas: memory, never correctness.
  if (info) Check(Api().UnregisterAllocator(Env(), info.get()));
}

}  // namespace qaic

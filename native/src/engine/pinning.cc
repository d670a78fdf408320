#include "pinning.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

#include <cerrno>

namespace qaic {

bool PinCurrentThread(const std::vector<int>& cpus, std::string* reason) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      *reason = "CPU " + std::to_string(cpu) + " is out of range (0 to " + std::to_string(CPU_SETSIZE - 1) + ")";
      return false;
    }
    CPU_SET(cpu, &set);
  }
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc != 0) {
    *reason = strerror(rc);
    return false;
  }
  return true;
}

bool CurrentAffinity(std::vector<int>* cpus, std::string* reason) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    *reason = std::string("sched_getaffinity failed: ") + strerror(errno);
    return false;
  }
  cpus->clear();
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) cpus->push_back(cpu);
  }
  return true;
}

std::string CpuList(const std::vector<int>& cpus) {
  std::string list;
  for (int cpu : cpus) list += (list.empty() ? "" : ", ") + std::to_string(cpu);
  return list;
}

}  // namespace qaic

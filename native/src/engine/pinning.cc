#include "pinning.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

namespace qaic {

bool PinCurrentThread(const std::vector<int>& cpus, std::string* error) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::string list;
  for (int cpu : cpus) {
    list += (list.empty() ? "" : ", ") + std::to_string(cpu);
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      *error = "cannot pin to CPU " + std::to_string(cpu) + ": out of range";
      return false;
    }
    CPU_SET(cpu, &set);
  }
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc != 0) {
    *error = "cannot pin the activation thread to CPUs [" + list + "]: " + strerror(rc);
    return false;
  }
  return true;
}

std::vector<int> CurrentAffinity() {
  std::vector<int> out;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out;
}

}  // namespace qaic

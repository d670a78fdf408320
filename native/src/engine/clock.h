// One clock with JavaScript: CLOCK_MONOTONIC is what process.hrtime() reads, so timestamps taken in an activation
// thread subtract directly from those taken by the caller (lib/runtime/clock.ts nowNs()).
#pragma once

#include <time.h>

namespace qaic {

// Monotonic time in nanoseconds, as a double (exact below 2^53 ns, about 104 days of uptime).
inline double NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace qaic

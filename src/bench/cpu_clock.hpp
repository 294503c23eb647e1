// This thread's CPU time: what one side of a handshake cost, apart from the
// other side and from anything else the machine runs.
#pragma once

#include <ctime>

namespace sslfeatures::bench {

inline double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace sslfeatures::bench

// The handshake chart's second panel: each case's handshake latency (the
// wall time of one handshake, lat_p50_us ... lat_max_us) at each thread
// count, the percentiles as nested bars on a log axis in microseconds.
#pragma once

#include <string>
#include <vector>

#include "bench/runner.hpp"

namespace sslfeatures::bench {

// The panel's title, legend and rows from `top`, one group per case in the
// order of `rows` and one row per thread count; `end` is set to where the
// panel ends.
std::string latency_panel(const std::vector<const CaseResult*>& rows, int top, int& end);

}  // namespace sslfeatures::bench

// A chart of handshakes per second per case, grouped by protocol and suite,
// with each case's crypto floor marked: the rate it would reach if the
// public-key operations were all a handshake cost.
#pragma once

#include <string>

#include "bench/runner.hpp"

namespace sslfeatures::bench {

// A standalone SVG document (white background, one bar per case that ran).
std::string render_svg(const Outcome& outcome);

}  // namespace sslfeatures::bench

// A chart of bulk-data throughput: one group per case (suite and payload
// size), a bar for each side's MB/s on its own CPU time, and the raw EVP
// record floor of that side (seal for send, open for receive) marked on it.
#pragma once

#include <string>

#include "bench/bulk_runner.hpp"

namespace sslfeatures::bench {

// A standalone SVG document: one group per case that ran, on a log axis.
std::string render_bulk_svg(const BulkOutcome& outcome);

}  // namespace sslfeatures::bench

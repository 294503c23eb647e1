// `bench --measure memory` as a table and as JSON in Google Benchmark's
// shape ({"context": ..., "benchmarks": [...]}, one entry per case).
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/memory.hpp"
#include "render/plain_formatter.hpp"

namespace sslfeatures::render {

// A heading, then one row per case: the name (its field as wide as the
// longest), client and server bytes after the handshake, after the exchange
// and with SSL_MODE_RELEASE_BUFFERS (8 columns each), then per pair of the N
// held open: OpenSSL's live bytes and the resident set's growth (10 each).
struct MemoryTable {
    const std::vector<bench::MemoryResult>& results;
    int pairs = 0;
};

std::string memory_json(const std::vector<bench::MemoryResult>& results, int pairs);

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::MemoryTable> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::MemoryTable& table, format_context& ctx) const;
};

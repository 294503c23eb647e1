// The compact handshake table printed after the constants table, in the same
// layout: a title centred in 72 columns with '-', rows, an empty line.
#pragma once

#include "render/plain_formatter.hpp"

#include <vector>

#include <fmt/format.h>

#include "bench/runner.hpp"

namespace sslfeatures::render {

inline constexpr std::string_view kHandshakeTitle = "handshakes per second";

// Each row: the case name (its field as wide as the longest), handshakes per
// second right-aligned in 10, two spaces, measured cost / crypto floor as
// "x2.41 floor" right-aligned in 12 ("failed" when the case failed).
struct HandshakeTable {
    const std::vector<bench::CaseResult>& results;
};

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::HandshakeTable> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::HandshakeTable& table,
                                    format_context& ctx) const;
};

// The connection report as the user reads it: test_tls.py's dotted lines
// with ours after them, or one typed JSON object (docs/client-server.md,
// "JSON lines"). The facts themselves are tls::ConnectionReport's.
#pragma once

#include "render/plain_formatter.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "tls/report.hpp"

namespace sslfeatures::render {

// test_tls.py's layout: one dotted line per fact, in its order, then ours.
struct ReportText {
    const tls::ConnectionReport& report;
};
// One object, {"type": "report", ...}, with numbers, booleans, nulls and
// arrays where the text has words.
nlohmann::ordered_json report_json(const tls::ConnectionReport& report);

nlohmann::ordered_json endpoint_json(const tls::Endpoint& endpoint);

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::ReportText> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::ReportText& text, format_context& ctx) const;
};

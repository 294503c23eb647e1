// What `sslfeatures scan` prints: the dotted report (test_tls.py's layout,
// one fact a line) and the same facts as Markdown. The JSON is the scan's own
// document (scan/scan_json).
#pragma once

#include "render/plain_formatter.hpp"
#include "scan/scan.hpp"

namespace sslfeatures::render {

struct ScanText {
    const scan::ScanResult& scan;
};

struct ScanMarkdown {
    const scan::ScanResult& scan;
};

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::ScanText> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::ScanText& text, format_context& ctx) const;
};

template <>
struct fmt::formatter<sslfeatures::render::ScanMarkdown> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::ScanMarkdown& text, format_context& ctx) const;
};

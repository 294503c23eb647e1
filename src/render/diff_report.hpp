// `sslfeatures diff` output: text in the features table's visual style,
// Markdown for pull requests and tickets, JSON for scripts (README,
// "Snapshots and diffs").
#pragma once

#include "render/plain_formatter.hpp"

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/diff.hpp"

namespace sslfeatures::render {

inline constexpr std::string_view kDiffSchema = "sslfeatures/diff";
// 2 adds the findings.
inline constexpr int kDiffSchemaVersion = 2;

// Text in the features table's visual style: both sides, the summary, the
// findings (most severe first), a titled block per section with one marked
// line per change, then the count.
struct DiffText {
    const audit::Diff& diff;
    bool findings_only = false;  // leave the detailed sections out
};
// Markdown for pull requests and tickets: a table per section.
struct DiffMarkdown {
    const audit::Diff& diff;
    bool findings_only = false;
};
nlohmann::ordered_json diff_json(const audit::Diff& diff);

}  // namespace sslfeatures::render

template <>
struct fmt::formatter<sslfeatures::render::DiffText> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::DiffText& text, format_context& ctx) const;
};

template <>
struct fmt::formatter<sslfeatures::render::DiffMarkdown> : sslfeatures::render::PlainFormatter {
    format_context::iterator format(const sslfeatures::render::DiffMarkdown& text, format_context& ctx) const;
};

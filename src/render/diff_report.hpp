// `sslfeatures diff` output: text in the features table's visual style,
// Markdown for pull requests and tickets, JSON for scripts (README,
// "Snapshots and diffs").
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/diff.hpp"

namespace sslfeatures::render {

inline constexpr std::string_view kDiffSchema = "sslfeatures/diff";
inline constexpr int kDiffSchemaVersion = 1;

std::string diff_text(const audit::Diff& diff);
std::string diff_markdown(const audit::Diff& diff);
nlohmann::ordered_json diff_json(const audit::Diff& diff);

}  // namespace sslfeatures::render

// The constants catalogue as JSON, CSV and Markdown. The JSON layout is a
// stable interface (see README, "JSON output"): snapshots and diffs read it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reflect/catalogue.hpp"

namespace sslfeatures::render {

enum class Format { text, json, csv, markdown };

inline constexpr std::string_view kFormatNames[] = {"text", "json", "csv", "markdown"};
// Each format with its name, in kFormatNames' order.
std::vector<std::pair<std::string, Format>> named_formats();

inline constexpr std::string_view kFeaturesSchema = "sslfeatures/features";
inline constexpr int kFeaturesSchemaVersion = 1;

nlohmann::ordered_json to_json(const reflect::Catalogue& catalogue);
std::string to_csv(const reflect::Catalogue& catalogue);
std::string to_markdown(const reflect::Catalogue& catalogue);

// The whole output of `sslfeatures features` in the given format.
std::string render_catalogue(const reflect::Catalogue& catalogue, Format format);

}  // namespace sslfeatures::render

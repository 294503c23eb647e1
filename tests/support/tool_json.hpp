// The tool's JSON output, read back for tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sslfeatures::testing {

// `sslfeatures features --format json` plus `extra` arguments, parsed.
nlohmann::json tool_json(const std::vector<std::string>& extra = {"--all"});

// section id -> (name -> value) for sections whose values are numbers.
std::map<std::string, std::map<std::string, long long>> numeric_sections(const nlohmann::json& doc);

}  // namespace sslfeatures::testing

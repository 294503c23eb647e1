// The tool's JSON output, read back for tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace sslfeatures::testing {

// A run of the tool and its output read as JSON, without exceptions: kept by
// a fixture, a tool that fails fails each test that reads it, with its
// message, rather than aborting the whole program.
struct JsonRun {
    Result result;
    nlohmann::json doc;  // discarded unless the output is JSON
};
JsonRun run_tool_json(const std::vector<std::string>& args);

// Stops the calling test unless `run` succeeded and printed JSON.
void assert_json_run(const JsonRun& run);

// `sslfeatures features --format json` plus `extra` arguments, parsed.
nlohmann::json tool_json(const std::vector<std::string>& extra = {"--all"});

// section id -> (name -> value) for sections whose values are numbers.
std::map<std::string, std::map<std::string, long long>> numeric_sections(const nlohmann::json& doc);

}  // namespace sslfeatures::testing

#include "support/tool_json.hpp"

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace sslfeatures::testing {

JsonRun run_tool_json(const std::vector<std::string>& args) {
    JsonRun run{run_tool(args), {}};
    run.doc = nlohmann::json::parse(run.result.out, nullptr, false);
    return run;
}

void assert_json_run(const JsonRun& run) {
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    ASSERT_FALSE(run.doc.is_discarded()) << "not JSON: " << run.result.out.substr(0, 200);
}

nlohmann::json tool_json(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"features", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

std::map<std::string, std::map<std::string, long long>> numeric_sections(const nlohmann::json& doc) {
    std::map<std::string, std::map<std::string, long long>> out;
    for (const auto& section : doc.at("sections")) {
        if (section.at("kind") == "info") continue;
        auto& rows = out[section.at("id").get<std::string>()];
        for (const auto& row : section.at("rows")) {
            const auto& v = row.at("value");
            rows[row.at("name").get<std::string>()] =
                v.is_number_unsigned() ? static_cast<long long>(v.get<unsigned long long>())
                                       : v.get<long long>();
        }
    }
    return out;
}

}  // namespace sslfeatures::testing

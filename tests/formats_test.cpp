// Every output format carries the same rows as the text table, and the JSON
// keeps the documented schema.
#include <gtest/gtest.h>

#include <sstream>

#include "support/process.hpp"
#include "support/table.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

// (section title, name, decimal) triples from the text table.
std::set<std::tuple<std::string, std::string, std::string>> text_rows(const std::vector<std::string>& args) {
    std::vector<std::string> all{"features"};
    all.insert(all.end(), args.begin(), args.end());
    Result r = run_tool(all);
    EXPECT_EQ(r.exit_code, 0);
    std::set<std::tuple<std::string, std::string, std::string>> rows;
    for (const auto& s : parse_table(r.out).sections) {
        for (const auto& row : s.rows) rows.emplace(s.title, row.name, row.decimal);
    }
    return rows;
}

TEST(Json, FollowsTheDocumentedSchema) {
    nlohmann::json doc = tool_json();
    EXPECT_EQ(doc.at("schema"), "sslfeatures/features");
    EXPECT_EQ(doc.at("schema_version"), 1);
    EXPECT_EQ(doc.at("tool").at("name"), "sslfeatures");
    EXPECT_TRUE(doc.at("openssl").at("headers").is_string());
    EXPECT_TRUE(doc.at("openssl").at("library_number").is_number_unsigned());
    EXPECT_TRUE(doc.at("warnings").is_array());
    for (const auto& s : doc.at("sections")) {
        for (const char* key : {"id", "title", "kind", "rows"}) EXPECT_TRUE(s.contains(key)) << key;
        for (const auto& row : s.at("rows")) {
            if (s.at("kind") == "info") {
                EXPECT_TRUE(row.at("value").is_string());
                continue;
            }
            // hex and binary are the same number as value, written two more ways.
            unsigned long long v = row.at("value").get<unsigned long long>();
            EXPECT_EQ(std::stoull(row.at("hex").get<std::string>(), nullptr, 16), v);
            EXPECT_EQ(std::stoull(row.at("binary").get<std::string>(), nullptr, 2), v);
        }
    }
}

TEST(Json, HoldsTheSameRowsAsTheTextTable) {
    nlohmann::json doc = tool_json({});
    std::set<std::tuple<std::string, std::string, std::string>> from_json;
    for (const auto& s : doc.at("sections")) {
        for (const auto& row : s.at("rows")) {
            from_json.emplace(s.at("title"), row.at("name"), row.at("value").dump());
        }
    }
    EXPECT_EQ(from_json, text_rows({}));
}

TEST(Csv, HoldsTheSameRowsAsTheTextTable) {
    Result r = run_tool({"features", "-f", "csv"});
    ASSERT_EQ(r.exit_code, 0);
    std::vector<std::string> lines = lines_of(r.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "section,name,value,hex,binary,source");
    std::map<std::string, std::string> titles = {{"feature_availability", "feature availability"}};
    std::set<std::tuple<std::string, std::string, std::string>> from_csv;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::vector<std::string> f;
        std::stringstream in(lines[i]);
        for (std::string cell; std::getline(in, cell, ',');) f.push_back(cell);
        ASSERT_GE(f.size(), 5u) << lines[i];
        std::string title = titles.count(f[0]) ? titles[f[0]] : f[0];
        from_csv.emplace(title, f[1], f[2]);
    }
    EXPECT_EQ(from_csv, text_rows({}));
}

TEST(Markdown, HasOneTableRowPerTextRow) {
    Result md = run_tool({"features", "-f", "markdown"});
    ASSERT_EQ(md.exit_code, 0);
    std::size_t rows = 0, headings = 0;
    for (const std::string& line : lines_of(md.out)) {
        if (line.rfind("| `", 0) == 0) ++rows;
        if (line.rfind("## ", 0) == 0) ++headings;
    }
    EXPECT_EQ(rows, text_rows({}).size());
    EXPECT_EQ(headings, 5u);
}

TEST(Json, LibrarySectionNamesHeadersAndRuntime) {
    nlohmann::json doc = tool_json({"--category", "library"});
    ASSERT_EQ(doc.at("sections").size(), 1u);
    std::map<std::string, std::string> info;
    for (const auto& row : doc.at("sections")[0].at("rows")) info[row.at("name")] = row.at("value");
    EXPECT_EQ(info["headers_version"], doc.at("openssl").at("headers"));
    EXPECT_EQ(info["library_version"], doc.at("openssl").at("library"));
    EXPECT_FALSE(info["openssldir"].empty());
    EXPECT_EQ(info.count("warning"), info["headers_version"] == info["library_version"] ? 0u : 1u);
}

}  // namespace
}  // namespace sslfeatures::testing

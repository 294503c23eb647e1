// The table's values and completeness, checked by paths independent of the
// generator: a separately compiled program that prints each macro itself, and a
// plain-text scan of the header files the compiler actually reads.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/process.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::vector<std::string> compiler_with_flags() {
    std::vector<std::string> cmd = split_words(env_or_fail("SF_TEST_CXX"));
    for (const std::string& f : split_words(std::getenv("SF_TEST_CFLAGS") ? std::getenv("SF_TEST_CFLAGS") : "")) {
        cmd.push_back(f);
    }
    cmd.push_back("-std=c++20");
    return cmd;
}

TEST(Values, EqualWhatASeparatelyCompiledProgramPrints) {
    auto doc = tool_json();
    auto sections = numeric_sections(doc);
    sections.erase("feature_availability");  // probes, not macros
    TempDir dir;
    std::ostringstream src;
    src << "#include \"" << env_or_fail("SF_TEST_HEADERS") << "\"\n"
        << "#include <cstdio>\n#include <type_traits>\n"
        << "template <class T> void show(const char* n, T v) {\n"
        << "  if constexpr (std::is_signed_v<T>) std::printf(\"%s %lld\\n\", n, (long long)v);\n"
        << "  else std::printf(\"%s %llu\\n\", n, (unsigned long long)v);\n}\n"
        << "int main() {\n";
    std::size_t count = 0;
    for (const auto& [id, rows] : sections) {
        for (const auto& [name, value] : rows) {
            src << "  show(\"" << name << "\", " << name << ");\n";
            ++count;
        }
    }
    src << "}\n";
    ASSERT_GT(count, 200u) << "the catalogue is suspiciously small";
    write_file(dir.path() + "/probe.cpp", src.str());

    std::vector<std::string> cmd = compiler_with_flags();
    for (const char* a : {"-w", "-o"}) cmd.push_back(a);
    cmd.push_back(dir.path() + "/probe");
    cmd.push_back(dir.path() + "/probe.cpp");
    Result built = run(cmd);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    Result printed = run({dir.path() + "/probe"});
    ASSERT_EQ(printed.exit_code, 0);

    std::map<std::string, long long> expected;
    for (const std::string& line : lines_of(printed.out)) {
        auto words = split_words(line);
        ASSERT_EQ(words.size(), 2u) << line;
        expected[words[0]] = words[1][0] == '-' ? std::stoll(words[1])
                                                : static_cast<long long>(std::stoull(words[1]));
    }
    for (const auto& [id, rows] : sections) {
        for (const auto& [name, value] : rows) {
            EXPECT_EQ(value, expected.at(name)) << id << " " << name;
        }
    }
}

// The OpenSSL headers the compiler reads for our header list, from -M.
std::vector<std::string> openssl_header_files() {
    std::vector<std::string> cmd = compiler_with_flags();
    for (const char* a : {"-x", "c++", "-M"}) cmd.push_back(a);
    cmd.push_back(env_or_fail("SF_TEST_HEADERS"));
    Result deps = run(cmd);
    EXPECT_EQ(deps.exit_code, 0) << deps.err;
    std::vector<std::string> files;
    for (const std::string& w : split_words(deps.out)) {
        if (w.find("/openssl/") != std::string::npos && w.size() > 2 &&
            w.compare(w.size() - 2, 2, ".h") == 0) {
            files.push_back(w);
        }
    }
    return files;
}

TEST(Completeness, EveryObjectLikeOptionVerifyModeAndVerifyFlagMacroIsInTheTable) {
    auto sections = numeric_sections(tool_json());
    const std::regex define(R"(^\s*#\s*define\s+((SSL_OP_|SSL_VERIFY_|X509_V_FLAG_)\w+)(\s|$))");
    const std::map<std::string, std::string> section_of = {
        {"SSL_OP_", "options"}, {"SSL_VERIFY_", "verify_mode"}, {"X509_V_FLAG_", "verify_flags"}};

    std::vector<std::string> files = openssl_header_files();
    ASSERT_FALSE(files.empty());
    std::set<std::string> seen;
    for (const std::string& file : files) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, define)) continue;
            const std::string name = m[1];
            const std::string& id = section_of.at(m[2]);
            seen.insert(name);
            EXPECT_TRUE(sections[id].count(name)) << name << " from " << file << " is missing from " << id;
        }
    }
    // A scan that finds nothing proves nothing.
    EXPECT_GT(seen.size(), 60u);
    for (const char* must : {"SSL_OP_NO_COMPRESSION", "SSL_VERIFY_PEER", "X509_V_FLAG_X509_STRICT"}) {
        EXPECT_TRUE(seen.count(must)) << must;
    }
}

TEST(Completeness, NoRowIsOutsideItsCategorysPattern) {
    auto sections = numeric_sections(tool_json());
    for (const auto& [name, value] : sections["options"]) EXPECT_EQ(name.rfind("SSL_OP_", 0), 0u);
    for (const auto& [name, value] : sections["verify_errors"]) {
        EXPECT_TRUE(name == "X509_V_OK" || name.rfind("X509_V_ERR_", 0) == 0) << name;
    }
}

}  // namespace
}  // namespace sslfeatures::testing

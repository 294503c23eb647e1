// The layout rules of layouts.md, checked on the real output of the binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <charconv>
#include <string>
#include <tuple>

#include <openssl/crypto.h>

#include "support/process.hpp"
#include "support/table.hpp"

namespace sslfeatures::testing {
namespace {

const std::vector<std::string> kChapterSections = {"protocol", "verify_mode", "verify_flags",
                                                   "options", "feature availability"};

// Binary digits of n, written here independently of the tool's formatter.
std::string to_binary(unsigned long long n) {
    if (n == 0) return "0";
    std::string s;
    for (; n != 0; n >>= 1) s.insert(s.begin(), static_cast<char>('0' + (n & 1)));
    return s;
}

std::string pad_right(const std::string& s, std::size_t w) {
    return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}
std::string pad_left(const std::string& s, std::size_t w) {
    return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

class FeaturesOutput : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        result_ = new Result(run_tool({"features"}));
        table_ = new ParsedTable(parse_table(result_->out));
    }
    static void TearDownTestSuite() {
        delete table_;
        delete result_;
    }
    static Result* result_;
    static ParsedTable* table_;
};
Result* FeaturesOutput::result_ = nullptr;
ParsedTable* FeaturesOutput::table_ = nullptr;

TEST_F(FeaturesOutput, SucceedsQuietly) {
    EXPECT_EQ(result_->exit_code, 0);
    EXPECT_EQ(result_->err, "");
}

TEST_F(FeaturesOutput, NoArgumentsPrintsTheSameTable) {
    Result plain = run_tool({});
    EXPECT_EQ(plain.exit_code, 0);
    EXPECT_EQ(plain.out.substr(0, result_->out.size()), result_->out);
}

TEST_F(FeaturesOutput, StartsWithOneEmptyLine) {
    ASSERT_TRUE(table_->starts_with_empty_line);
    EXPECT_NE(result_->out.substr(0, 2), "\n\n");
}

TEST_F(FeaturesOutput, HasTheChaptersSectionsInOrder) {
    std::vector<std::string> titles;
    for (const auto& s : table_->sections) titles.push_back(s.title);
    EXPECT_EQ(titles, kChapterSections);
}

TEST_F(FeaturesOutput, TitlesAreCenteredIn72ColumnsLikePython) {
    for (const auto& s : table_->sections) {
        const std::string& line = s.title_line;
        EXPECT_EQ(line.size(), 72u) << line;
        std::size_t text = s.title.size() + 2;
        std::size_t margin = 72 - text;
        std::size_t left = line.find(' ');
        // Width 72 is even, so Python puts an odd dash on the right.
        EXPECT_EQ(left, margin / 2) << line;
        EXPECT_EQ(line.substr(left, text), " " + s.title + " ");
        EXPECT_EQ(line.find_first_not_of('-', left + text), std::string::npos) << line;
    }
}

TEST_F(FeaturesOutput, EverySectionEndsWithOneEmptyLine) {
    for (const auto& s : table_->sections) {
        EXPECT_TRUE(s.ends_with_empty_line) << s.title;
        EXPECT_FALSE(s.rows.empty()) << s.title;
    }
}

TEST_F(FeaturesOutput, EndsWithTheRunningLibrarysVersionLine) {
    ASSERT_EQ(table_->trailer.size(), 1u);
    EXPECT_EQ(table_->trailer[0], OpenSSL_version(OPENSSL_VERSION));
}

TEST_F(FeaturesOutput, RowsFollowTheFieldRules) {
    for (const auto& s : table_->sections) {
        for (const auto& row : s.rows) {
            // name:27, space, decimal:>10, two spaces, binary:>32, as Python's
            // '{:27} {:10}  {:32b}' lays them out.
            EXPECT_EQ(row.line, pad_right(row.name, 27) + " " + pad_left(row.decimal, 10) + "  " +
                                    pad_left(row.binary, 32));
            unsigned long long value = 0;
            auto [end, ec] = std::from_chars(row.decimal.data(),
                                             row.decimal.data() + row.decimal.size(), value);
            ASSERT_EQ(ec, std::errc()) << row.line;
            ASSERT_EQ(end, row.decimal.data() + row.decimal.size()) << row.line;
            EXPECT_EQ(row.binary, to_binary(value)) << row.line;
        }
    }
}

TEST_F(FeaturesOutput, RowsAreSortedByValueThenName) {
    for (const auto& s : table_->sections) {
        std::vector<std::tuple<unsigned long long, std::string>> keys;
        for (const auto& row : s.rows) keys.emplace_back(std::stoull(row.decimal), row.name);
        EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << s.title;
    }
}

TEST_F(FeaturesOutput, UsesOpenSSLsOwnNames) {
    const auto* options = find_section(*table_, "options");
    const auto* protocol = find_section(*table_, "protocol");
    const auto* modes = find_section(*table_, "verify_mode");
    const auto* flags = find_section(*table_, "verify_flags");
    ASSERT_TRUE(options && protocol && modes && flags);
    for (const auto& r : options->rows) EXPECT_EQ(r.name.rfind("SSL_OP_", 0), 0u) << r.name;
    for (const auto& r : modes->rows) EXPECT_EQ(r.name.rfind("SSL_VERIFY_", 0), 0u) << r.name;
    for (const auto& r : flags->rows) EXPECT_EQ(r.name.rfind("X509_V_FLAG_", 0), 0u) << r.name;
    std::vector<std::string> names;
    for (const auto& r : protocol->rows) names.push_back(r.name);
    for (const char* expected : {"TLS1_VERSION", "TLS1_2_VERSION", "DTLS1_2_VERSION"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    }
}

TEST_F(FeaturesOutput, FeatureAvailabilityHasPythonsFlagsAsZeroOrOne) {
    const auto* features = find_section(*table_, "feature availability");
    ASSERT_NE(features, nullptr);
    std::vector<std::string> names;
    for (const auto& r : features->rows) {
        names.push_back(r.name);
        EXPECT_TRUE(r.decimal == "0" || r.decimal == "1") << r.line;
    }
    for (const char* flag : {"HAS_SNI", "HAS_ALPN", "HAS_NPN", "HAS_ECDH", "HAS_SSLv2",
                             "HAS_SSLv3", "HAS_TLSv1", "HAS_TLSv1_1", "HAS_TLSv1_2", "HAS_TLSv1_3",
                             "HAS_NEVER_CHECK_COMMON_NAME", "HAS_PSK", "HAS_PHA", "HAS_KTLS",
                             "HAS_QUIC", "HAS_ECH", "HAS_MLKEM", "HAS_FIPS_PROVIDER",
                             "HAS_CERT_COMPRESSION"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), flag), names.end()) << flag;
    }
}

TEST(FeaturesAll, AddsFurtherCategoriesAndTheLibrarySection) {
    Result all = run_tool({"features", "--all"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    ParsedTable table = parse_table(all.out);
    for (const char* title : {"protocol", "options", "mode", "session_cache", "verify_errors",
                              "ssl_errors", "alerts", "library"}) {
        EXPECT_NE(find_section(table, title), nullptr) << title;
    }
    const auto* library = find_section(table, "library");
    ASSERT_NE(library, nullptr);
    std::string text;
    for (const auto& row : library->rows) text += row.line + "\n";
    EXPECT_NE(text.find(std::string("library_version             ") +
                        OpenSSL_version(OPENSSL_VERSION)),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("headers_version"), std::string::npos);
    EXPECT_NE(text.find("openssldir"), std::string::npos);
    // The alert numbers are fixed by the TLS RFCs.
    const auto* alerts = find_section(table, "alerts");
    ASSERT_NE(alerts, nullptr);
    bool found = false;
    for (const auto& row : alerts->rows) {
        if (row.name == "SSL_AD_HANDSHAKE_FAILURE") found = row.decimal == "40";
    }
    EXPECT_TRUE(found);
}

TEST(FeaturesCategory, SelectsOnlyTheNamedSectionsInTableOrder) {
    Result r = run_tool({"features", "-c", "options", "--category", "protocol"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ParsedTable table = parse_table(r.out);
    ASSERT_EQ(table.sections.size(), 2u);
    EXPECT_EQ(table.sections[0].title, "protocol");
    EXPECT_EQ(table.sections[1].title, "options");
}

}  // namespace
}  // namespace sslfeatures::testing

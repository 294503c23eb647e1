// Command-line conventions: data on stdout, one line of diagnostics on stderr,
// documented exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

#include "support/expect.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

TEST(Cli, UnknownCategoryNamesTheValidOnes) {
    expect_usage_error({"features", "--category", "bogus"}, "'bogus'");
    expect_usage_error({"features", "--category", "bogus"}, "protocol, verify_mode, verify_flags");
}

TEST(Cli, UnknownFormatNamesTheValidOnes) {
    expect_usage_error({"features", "--format", "xml"}, "text, json, csv, markdown");
}

TEST(Cli, UnknownOptionIsNamed) {
    expect_usage_error({"features", "--frobnicate"}, "--frobnicate");
}

TEST(Cli, UnknownCommandNamesTheValidOnes) {
    expect_usage_error({"frobnicate"}, "unknown command 'frobnicate'; valid commands: features");
}

TEST(Cli, AllAndCategoryTogetherAreRefused) {
    expect_usage_error({"features", "--all", "--category", "options"}, "--all");
}

TEST(Cli, MissingOptionValueIsAUsageError) {
    expect_usage_error({"features", "--format"}, "--format");
}

// NaN passes every range check (each comparison is false) and would end
// every wait at once; infinity and garbage are refused as well.
TEST(Cli, TimeoutsMustBeFiniteNumbersInRange) {
    for (const std::string value : {"nan", "-nan", "NaN", "inf", "0", "1e9", "10s", ""}) {
        SCOPED_TRACE(value);
        expect_usage_error({"client", "localhost", "1", "--timeout", value}, "--timeout");
        expect_usage_error({"server", "localhost", "0", "-s", "x.pem", "--idle-timeout", value}, "--idle-timeout");
    }
}

TEST(Cli, EmptyCipherOrGroupListsAreRefused) {
    expect_usage_error({"client", "localhost", "1", "--cipher", ""}, "the cipher list is empty");
    expect_usage_error({"client", "localhost", "1", "--groups", ""}, "the group list is empty");
    expect_usage_error({"server", "localhost", "0", "--cipher", ""}, "the cipher list is empty");
}

TEST(Cli, HelpDocumentsExitCodesAndCategories) {
    Result r = run_tool({"features", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("Exit codes: 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("verify_flags"), std::string::npos);
    Result top = run_tool({"--help"});
    EXPECT_EQ(top.exit_code, 0);
    EXPECT_NE(top.out.find("features"), std::string::npos);
}

TEST(Cli, VersionNamesBothOpenSSLs) {
    Result r = run_tool({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("headers: OpenSSL"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("library: OpenSSL"), std::string::npos) << r.out;
}

TEST(Output, WritesTheSameBytesToAFileAsToStdout) {
    TempDir dir;
    const std::string path = dir.path() + "/table.json";
    Result to_file = run_tool({"features", "-f", "json", "-o", path});
    ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
    EXPECT_EQ(to_file.out, "");
    Result to_stdout = run_tool({"features", "-f", "json"});
    EXPECT_EQ(read_file(path), to_stdout.out);
    // Only the file itself: no temporary left behind.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                            std::filesystem::directory_iterator()),
              1);
}

TEST(Output, AMissingDirectoryIsOneLineAndExit3AndNoFile) {
    TempDir dir;
    const std::string path = dir.path() + "/missing/table.json";
    Result r = run_tool({"features", "-o", path});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(path));
}

// Full disks and read-only directories: files_test.cpp.

TEST(Output, AnUnwritableTargetLeavesTheExistingFileIntact) {
    // /proc refuses new files even to root, so this holds in CI too.
    const std::string before = read_file("/proc/version");
    ASSERT_FALSE(before.empty());
    Result r = run_tool({"features", "-o", "/proc/version"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(read_file("/proc/version"), before);
}

}  // namespace
}  // namespace sslfeatures::testing

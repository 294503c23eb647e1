// `bench --measure memory`: the bytes counted for one connection agree with
// two independent counts of the same configuration, in the same counting
// process: the live-byte growth of 200 pairs held open at once, per pair
// (a different path: no warm-up rounds, no freeing side by side), and
// glibc's own heap accounting (mallinfo2), which knows nothing of the hooks.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

constexpr int kPairs = 200;

class BenchMemory : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        result_ = new Result(run_tool({"bench", "--measure", "memory", "--key", "ecdsa-p256", "--pairs",
                                       std::to_string(kPairs), "--benchmark_format=json"}));
    }
    static void TearDownTestSuite() { delete result_; }
    static nlohmann::json benchmarks() {
        EXPECT_EQ(result_->exit_code, 0) << result_->err;
        return nlohmann::json::parse(result_->out).at("benchmarks");
    }
    static Result* result_;
};
Result* BenchMemory::result_ = nullptr;

double at(const nlohmann::json& b, const char* field) {
    return b.at(field).get<double>();
}

TEST_F(BenchMemory, CoversBothProtocolsAndEveryMode) {
    const nlohmann::json list = benchmarks();
    ASSERT_EQ(list.size(), 5u) << "TLS 1.3 full and ticket, TLS 1.2 full, session-id and ticket";
    for (const auto& b : list) {
        EXPECT_EQ(b.at("pairs").get<int>(), kPairs);
        EXPECT_GT(at(b, "client_handshake_bytes"), 1000) << b.at("name");
        EXPECT_GT(at(b, "server_handshake_bytes"), 1000) << b.at("name");
    }
}

// The target: one connection's count within 10% of an independent
// count of the same configuration.
TEST_F(BenchMemory, OnePairIsWithinTenPercentOfTheAverageOverManyHeldOpen) {
    for (const auto& b : benchmarks()) {
        const double one = at(b, "client_handshake_bytes") + at(b, "server_handshake_bytes") + at(b, "transport_bytes");
        EXPECT_NEAR(at(b, "pair_live_bytes"), one, 0.10 * one) << b.at("name");
        // Freeing both sides gives back what the pair took: nothing is left elsewhere.
        EXPECT_NEAR(at(b, "pair_bytes"), one, 0.01 * one) << b.at("name");
    }
}

// glibc's bytes in use grow by the counted bytes plus, per block, the hooks'
// 16-byte header and malloc's own 8 bytes, rounded up to 16: between 24 and
// 39 bytes a block (a little slack for what malloc caches per size).
TEST_F(BenchMemory, GlibcSeesTheCountedBytesPlusEachBlocksOverhead) {
    // Under the sanitizers their allocator replaces glibc's, and mallinfo2
    // describes an arena nothing uses.
    const char* sanitized = std::getenv("SF_TEST_SANITIZED");
    if (sanitized != nullptr && std::string(sanitized) == "1") GTEST_SKIP() << "glibc's malloc is not in use";
    for (const auto& b : benchmarks()) {
        const double blocks = at(b, "pair_live_blocks");
        ASSERT_GT(blocks, 10) << b.at("name");
        const double overhead = (at(b, "pair_counted_heap_bytes") - at(b, "pair_live_bytes")) / blocks;
        EXPECT_GE(overhead, 20) << b.at("name");
        EXPECT_LE(overhead, 43) << b.at("name");
    }
}

// SSL_MODE_RELEASE_BUFFERS gives back at least one 16 KiB record buffer per side.
TEST_F(BenchMemory, ReleasingBuffersSavesARecordBufferPerSide) {
    for (const auto& b : benchmarks()) {
        EXPECT_LE(at(b, "client_released_bytes") + 16384, at(b, "client_exchange_bytes")) << b.at("name");
        EXPECT_LE(at(b, "server_released_bytes") + 16384, at(b, "server_exchange_bytes")) << b.at("name");
    }
}

TEST(BenchMemoryErrors, OptionsOfOtherMeasurementsAreExit2OnOneLine) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"bench", "--measure", "memory", "--threads", "2"},
          {"bench", "--measure", "memory", "--benchmark_filter=full"},
          {"bench", "--pairs", "10"},
          {"bench", "--measure", "memory", "--pairs", "0"}}) {
        Result r = run_tool(args);
        EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

TEST(BenchMemoryList, ListsTheMemoryCases) {
    Result r = run_tool({"bench", "--measure", "memory", "--list", "--protocol", "tls1.2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("tls1.2/ECDHE-ECDSA-AES256-GCM-SHA384/ecdsa-p256/x25519/session-id\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("tls1.3/"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sslfeatures::testing

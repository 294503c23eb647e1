// The snapshot reader against the writer: whatever `snapshot` writes, the
// reader takes back unchanged, and the reference tables survive a round trip
// byte for byte.
#include <gtest/gtest.h>

#include <filesystem>

#include "audit/snapshot.hpp"
#include "audit/snapshot_json.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

namespace fs = std::filesystem;
using audit::from_json;
using audit::parse_snapshot;
using audit::snapshot_text;
using audit::to_json;

TEST(SnapshotJson, ALiveSnapshotRoundTripsUnchanged) {
    const audit::Snapshot s = audit::take_snapshot();
    const nlohmann::ordered_json first = to_json(s);
    const nlohmann::ordered_json second = to_json(from_json(first, "live"));
    EXPECT_EQ(first, second) << nlohmann::ordered_json::diff(first, second).dump();
    EXPECT_FALSE(s.ciphers.empty());
    EXPECT_FALSE(s.constants.empty());
}

TEST(SnapshotJson, BenchFiguresRoundTrip) {
    audit::Snapshot s = audit::take_snapshot();
    s.bench = std::vector<audit::BenchCase>{{"tls1.3/TLS_AES_128_GCM_SHA256/rsa-2048/x25519/full", 1234.5, 0.0125, 5}};
    const audit::Snapshot back = parse_snapshot(snapshot_text(s), "test");
    ASSERT_TRUE(back.bench.has_value());
    ASSERT_EQ(back.bench->size(), 1u);
    EXPECT_EQ(back.bench->at(0).id, s.bench->at(0).id);
    EXPECT_DOUBLE_EQ(back.bench->at(0).handshakes_per_second, 1234.5);
    EXPECT_DOUBLE_EQ(back.bench->at(0).cv, 0.0125);
    EXPECT_EQ(back.bench->at(0).repetitions, 5);
}

TEST(SnapshotJson, EveryReferenceTableRoundTripsByteForByte) {
    int tables = 0;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_TABLES"))) {
        if (entry.path().extension() != ".json") continue;
        const std::string text = read_file(entry.path().string());
        EXPECT_EQ(snapshot_text(parse_snapshot(text, entry.path().string())), text) << entry.path();
        ++tables;
    }
    EXPECT_GE(tables, 3);
}

// 64-bit option values, the largest a snapshot holds, keep every bit.
TEST(SnapshotJson, SixtyFourBitValuesKeepEveryBit) {
    audit::Snapshot s = audit::take_snapshot();
    ASSERT_FALSE(s.constants.empty());
    ASSERT_FALSE(s.constants.front().constants.empty());
    s.constants.front().constants.front().value = {0xfedcba9876543210ull, false};
    const audit::Snapshot back = parse_snapshot(snapshot_text(s), "test");
    EXPECT_EQ(back.constants.front().constants.front().value.magnitude, 0xfedcba9876543210ull);
}

// A number too large for a double is a bad document like any other: the
// reader's own error, naming the file and the number (found by fuzz_snapshot;
// nlohmann's out_of_range used to escape as an "unexpected failure").
TEST(SnapshotJson, AnOutOfRangeNumberIsASnapshotError) {
    try {
        parse_snapshot(R"({"schema": "sslfeatures/snapshot", "schema_version": 1e999})", "big.json");
        FAIL() << "parse_snapshot accepted 1e999";
    } catch (const audit::SnapshotError& e) {
        EXPECT_EQ(std::string(e.what()), "big.json: a number is out of range (number overflow parsing '1e999')");
    }
}

}  // namespace
}  // namespace sslfeatures::testing

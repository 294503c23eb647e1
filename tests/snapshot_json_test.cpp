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

// A scheme's code point, "0x0403", as either version writes it:
// "ecdsa-with-SHA256(0x0403)" or "ecdsa_secp256r1_sha256 (0x0403)".
std::string code_point_of(const std::string& scheme) {
    const std::size_t open = scheme.rfind("(0x");
    return open == std::string::npos ? scheme : scheme.substr(open + 1, 6);
}

// The signature names set aside, leaving what the two versions share.
nlohmann::json without_scheme_names(nlohmann::json doc) {
    for (auto& scheme : doc.at("signature_algorithms")) scheme = code_point_of(scheme.get<std::string>());
    for (auto& [id, part] : doc.at("defaults").items()) {
        for (auto& scheme : part.at("signature_algorithms")) scheme.erase("name");
    }
    return doc;
}

// The reference tables as version 1 wrote them (OpenSSL's names for signature
// schemes, kept in tests/data). They read back as version 1 with the
// registry's names in the same order and nothing else changed, and from then
// on byte for byte.
TEST(SnapshotJson, EveryVersion1TableReadsBackWithOnlyItsSchemeNamesReplaced) {
    int tables = 0;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_V1_TABLES"))) {
        // The reference tables are openssl-*.json; tables/ also holds other data.
        if (entry.path().extension() != ".json" || !entry.path().stem().string().starts_with("openssl-")) continue;
        const std::string text = read_file(entry.path().string());
        const std::string once = snapshot_text(parse_snapshot(text, entry.path().string()));
        EXPECT_EQ(snapshot_text(parse_snapshot(once, "again")), once) << entry.path();
        const auto was = nlohmann::json::parse(text);
        const auto now = nlohmann::json::parse(once);
        EXPECT_EQ(now.at("schema_version"), 1) << entry.path();
        EXPECT_EQ(without_scheme_names(now), without_scheme_names(was)) << entry.path();
        const auto& old_list = was.at("signature_algorithms");
        const auto& new_list = now.at("signature_algorithms");
        ASSERT_EQ(new_list.size(), old_list.size());
        for (std::size_t i = 0; i < new_list.size(); ++i) {
            EXPECT_NE(new_list[i], old_list[i]) << "not renamed: " << old_list[i];
            EXPECT_EQ(new_list[i].get<std::string>().find(" (0x"), new_list[i].get<std::string>().size() - 9)
                << new_list[i];
        }
        ++tables;
    }
    EXPECT_GE(tables, 3);
}

// The reference tables in tables/ are written by this version: read and
// written again, each is the same bytes.
TEST(SnapshotJson, EveryReferenceTableRoundTripsByteForByte) {
    int tables = 0;
    for (const auto& entry : fs::directory_iterator(env_or_fail("SF_TEST_TABLES"))) {
        // The reference tables are openssl-*.json; tables/ also holds other data.
        if (entry.path().extension() != ".json" || !entry.path().stem().string().starts_with("openssl-")) continue;
        const std::string text = read_file(entry.path().string());
        EXPECT_EQ(nlohmann::json::parse(text).at("schema_version"), 3) << entry.path();
        EXPECT_EQ(snapshot_text(parse_snapshot(text, entry.path().string())), text) << entry.path();
        ++tables;
    }
    EXPECT_GE(tables, 3);
}

TEST(SnapshotJson, ALiveSnapshotIsVersion3AndNamesSchemesAsTheRegistry) {
    const nlohmann::ordered_json doc = to_json(audit::take_snapshot());
    EXPECT_EQ(doc.at("schema_version"), 3);
    const auto& list = doc.at("signature_algorithms");
    ASSERT_FALSE(list.empty());
    EXPECT_NE(std::find(list.begin(), list.end(), "rsa_pss_rsae_sha256 (0x0804)"), list.end()) << list.dump();
    EXPECT_NE(std::find(list.begin(), list.end(), "ecdsa_secp256r1_sha256 (0x0403)"), list.end()) << list.dump();
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

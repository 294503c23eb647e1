// The findings `sslfeatures diff` opens with, held against what OpenSSL itself
// says changed. Each expectation quotes the line of NEWS.md or CHANGES.md (as
// shipped in the openssl 4.0.2 source package) that states the fact; the
// findings come from the reference tables, which were measured, so the two
// paths are independent: a rule that stops matching, a probe that stops
// seeing a change, or a finding that names the wrong side fails here.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace {

using json = nlohmann::json;
using namespace sslfeatures::testing;

json diff_json(const std::string& old_table, const std::string& new_table) {
    Result r = run_tool({"diff", old_table, new_table, "--format", "json"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "");
    return json::parse(r.out);
}

const json* finding(const json& d, const std::string& rule) {
    for (const auto& f : d.at("findings")) {
        if (f.at("rule") == rule) return &f;
    }
    return nullptr;
}

std::size_t position(const json& d, const std::string& rule) {
    const auto& list = d.at("findings");
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (list[i].at("rule") == rule) return i;
    }
    return list.size();
}

bool has_side(const json& f, const std::string& side) {
    const auto& sides = f.at("sides");
    return std::find(sides.begin(), sides.end(), side) != sides.end();
}

// The detailed change an evidence entry points at.
const json& evidence_change(const json& d, const json& e) {
    for (const auto& s : d.at("sections")) {
        if (s.at("id") == e.at("section")) return s.at("changes").at(e.at("index").get<std::size_t>());
    }
    ADD_FAILURE() << "no section " << e.at("section");
    static const json kNone = json::object();
    return kNone;
}

// The texts of a finding's evidence: each change's name, old and new text.
std::string evidence_text(const json& d, const json& f) {
    std::string out;
    for (const auto& e : f.at("evidence")) {
        const json& c = evidence_change(d, e);
        out += c.at("name").get<std::string>() + " " + c.at("old").get<std::string>() + " " +
               c.at("new").get<std::string>() + "\n";
    }
    return out;
}

class Findings : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        from_111_ = new json(diff_json("openssl-1.1.1w", "openssl-3.0.22"));
        from_30_ = new json(diff_json("openssl-3.0.22", "openssl-3.5.7"));
        to_36_ = new json(diff_json("openssl-3.5.7", "openssl-3.6.3"));
        to_40_ = new json(diff_json("openssl-3.5.7", "openssl-4.0.2"));
    }
    static void TearDownTestSuite() {
        for (json* d : {from_111_, from_30_, to_36_, to_40_}) delete d;
    }
    static json *from_111_, *from_30_, *to_36_, *to_40_;
};
json* Findings::from_111_ = nullptr;
json* Findings::from_30_ = nullptr;
json* Findings::to_36_ = nullptr;
json* Findings::to_40_ = nullptr;

// NEWS.md:1004 (1.1.1 to 3.0.0): "SSL 3, TLS 1.0, TLS 1.1, and DTLS 1.0 only
// work at security level 0, except when RSA key exchange without SHA1 is used."
TEST_F(Findings, TlsOneZeroAndOneOneStopFirstFrom111To30) {
    const json& d = *from_111_;
    ASSERT_FALSE(d.at("findings").empty());
    const json& first = d.at("findings").at(0);
    EXPECT_EQ(first.at("rule"), "protocol-stops") << first.dump(2);
    EXPECT_EQ(first.at("severity"), "breaks");
    const std::string evidence = evidence_text(d, first);
    EXPECT_NE(evidence.find("TLSv1 "), std::string::npos) << evidence;
    EXPECT_NE(evidence.find("TLSv1.1 "), std::string::npos) << evidence;
    EXPECT_NE(first.at("says").get<std::string>().find("TLSv1.1"), std::string::npos);
    EXPECT_EQ(first.at("origin"), "release");
}

// CHANGES.md:4547 (3.0): "Support for RFC 5746 secure renegotiation is now
// required by default for SSL or TLS connections to succeed."
TEST_F(Findings, SecureRenegotiationIsRequiredFrom111To30OnEverySide) {
    const json& d = *from_111_;
    const json* f = finding(d, "legacy-server-connect");
    ASSERT_NE(f, nullptr) << d.at("findings").dump(2);
    EXPECT_EQ(f->at("severity"), "breaks");
    for (const char* side : {"client", "server", "library_default"}) EXPECT_TRUE(has_side(*f, side)) << side;
    // One fact, one line: the three sides share one detailed change.
    ASSERT_EQ(f->at("evidence").size(), 1u) << f->dump(2);
    EXPECT_EQ(evidence_change(d, f->at("evidence").at(0)).at("old"), "SSL_OP_LEGACY_SERVER_CONNECT");
    EXPECT_LT(position(d, "legacy-server-connect"), 3u);
}

// NEWS.md:745 (3.1 to 3.2.0): "The default SSL/TLS security level has been
// changed from 1 to 2." 3.0.22 predates that, yet its level is 2: Debian
// builds it with -DOPENSSL_TLS_SECURITY_LEVEL=2, and the finding says so.
TEST_F(Findings, TheSecurityLevelOf30IsAttributedToTheBuild) {
    const json* f = finding(*from_111_, "security-level-raised");
    ASSERT_NE(f, nullptr) << from_111_->at("findings").dump(2);
    EXPECT_EQ(f->at("origin"), "build") << f->dump(2);
    EXPECT_NE(f->at("origin_evidence").get<std::string>().find("OPENSSL_TLS_SECURITY_LEVEL=2"), std::string::npos);
    EXPECT_TRUE(has_side(*f, "library_default"));
    // Our secure contexts are at level 2 on every release: only the
    // library's own default moves.
    EXPECT_FALSE(has_side(*f, "client"));
}

// NEWS.md:960 (1.1.1 to 3.0.0): "X509 certificates signed using SHA1 are no
// longer allowed at security level 1 or higher."
TEST_F(Findings, ShaOneCertificatesAreRefusedFrom111To30) {
    const json* f = finding(*from_111_, "sha1-certificates-refused");
    ASSERT_NE(f, nullptr) << from_111_->at("findings").dump(2);
    EXPECT_EQ(f->at("severity"), "breaks");
    EXPECT_TRUE(has_side(*f, "library_default")) << f->dump(2);
    EXPECT_EQ(f->at("origin"), "release");
}

// NEWS.md:433 (3.4 to 3.5.0): "The default TLS keyshares have been changed to
// offer X25519MLKEM768 and and X25519."
TEST_F(Findings, TheHybridKeyShareAndItsSizeFrom30To35) {
    const json& d = *from_30_;
    const json* shares = finding(d, "key-shares-added");
    ASSERT_NE(shares, nullptr) << d.at("findings").dump(2);
    EXPECT_NE(shares->at("says").get<std::string>().find("X25519MLKEM768"), std::string::npos) << shares->dump(2);
    EXPECT_TRUE(has_side(*shares, "client"));
    EXPECT_TRUE(has_side(*shares, "library_default"));
    // An ML-KEM-768 share is 1,184 bytes: the hello passes one packet.
    const json* size = finding(d, "client-hello-large");
    ASSERT_NE(size, nullptr) << d.at("findings").dump(2);
    const json& c = evidence_change(d, size->at("evidence").at(0));
    EXPECT_GE(std::stoi(c.at("new").get<std::string>()) - std::stoi(c.at("old").get<std::string>()), 1184);
}

// NEWS.md:513 (3.3 to 3.4.0): "An empty renegotiate extension will be used in
// TLS client hellos instead of the empty renegotiation SCSV, for all
// connections with a minimum TLS version > 1.0."
TEST_F(Findings, TheRenegotiationSignalMovesToTheExtensionFrom30To35) {
    const json& d = *from_30_;
    const json* f = finding(d, "renegotiation-signal");
    ASSERT_NE(f, nullptr) << d.at("findings").dump(2);
    // Our client's minimum is TLS 1.2.
    EXPECT_TRUE(has_side(*f, "client")) << f->dump(2);
    const std::string evidence = evidence_text(d, *f);
    EXPECT_NE(evidence.find("client_hello.renegotiation_info false true"), std::string::npos) << evidence;
    EXPECT_NE(evidence.find("client_hello.renegotiation_scsv true false"), std::string::npos) << evidence;
}

// CHANGES.md:1951 (3.5 to 3.6.0): "Changed default EC point formats
// configuration to support only 'uncompressed' format".
TEST_F(Findings, OnlyUncompressedPointsFrom35To36) {
    const json* f = finding(*to_36_, "point-formats");
    ASSERT_NE(f, nullptr) << to_36_->at("findings").dump(2);
    const std::string says = f->at("says");
    EXPECT_NE(says.find("ansiX962_compressed_prime"), std::string::npos) << says;
    EXPECT_EQ(says.find("uncompressed,"), std::string::npos) << says;
}

// NEWS.md:192 (3.6 to 4.0.0): "Removed support for engines."
// NEWS.md:189: "Removed support for SSLv3."
TEST_F(Findings, EnginesAndSslThreeGoIn40) {
    const json& d = *to_40_;
    const json* engine = finding(d, "engine-lost");
    ASSERT_NE(engine, nullptr) << d.at("findings").dump(2);
    EXPECT_EQ(engine->at("severity"), "breaks");
    const json* sslv3 = finding(d, "protocol-code-removed");
    ASSERT_NE(sslv3, nullptr) << d.at("findings").dump(2);
    EXPECT_EQ(evidence_text(d, *sslv3).rfind("SSLv3 ", 0), 0u) << evidence_text(d, *sslv3);
}

// ---- origin: the configuration, when a setting that bears on it differs -------------

json read_table(const std::string& name) {
    return json::parse(read_file(env_or_fail("SF_TEST_TABLES") + "/" + name + ".json"));
}

// The 3.0.22 table as if TLS 1.2 had stopped completing, with `new_setting`
// in the new side's configuration and `old_setting` in the old side's.
json diff_with_settings(const TempDir& dir, const json& old_setting, const json& new_setting) {
    json before = read_table("openssl-3.0.22");
    json after = before;
    before["configuration"]["settings"] = old_setting;
    after["configuration"]["settings"] = new_setting;
    for (auto& [key, attempt] : after["protocols"]["TLSv1.2"]["attempts"].items()) {
        attempt = {{"ok", false}, {"detail", "unsupported protocol"}};
    }
    write_file(dir.path() + "/before.json", before.dump(2));
    write_file(dir.path() + "/after.json", after.dump(2));
    return diff_json(dir.path() + "/before.json", dir.path() + "/after.json");
}

TEST(FindingOrigin, IsTheConfigurationWhenARelevantSettingDiffers) {
    TempDir dir;
    const json d = diff_with_settings(dir, json::object(),
                                      {{"ssl_conf.system_default.MinProtocol", "TLSv1.3"}});
    const json* f = finding(d, "protocol-stops");
    ASSERT_NE(f, nullptr) << d.at("findings").dump(2);
    EXPECT_EQ(f->at("origin"), "configuration");
    EXPECT_NE(f->at("origin_evidence").get<std::string>().find("MinProtocol = TLSv1.3"), std::string::npos)
        << f->dump(2);
}

TEST(FindingOrigin, IsNotTheConfigurationWhenBothSidesShareTheSetting) {
    TempDir dir;
    const json same = {{"ssl_conf.system_default.MinProtocol", "TLSv1.2"}};
    const json d = diff_with_settings(dir, same, same);
    const json* f = finding(d, "protocol-stops");
    ASSERT_NE(f, nullptr) << d.at("findings").dump(2);
    EXPECT_EQ(f->at("origin"), "release") << f->dump(2);
}

// An unrelated setting that changed explains nothing either.
TEST(FindingOrigin, IsNotTheConfigurationForAnUnrelatedSetting) {
    TempDir dir;
    const json d = diff_with_settings(dir, json::object(), {{"ssl_conf.system_default.Options", "KTLS"}});
    const json* f = finding(d, "protocol-stops");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->at("origin"), "release") << f->dump(2);
}

// ---- memory per connection (snapshot --with-bench) -----------------------------------

json with_memory(json table, int client, int server) {
    table["memory"] = {{"cases", json::array({{{"id", "tls1.3/TLS_AES_256_GCM_SHA384/ecdsa-p256/x25519/full"},
                                                {"client", client},
                                                {"server", server},
                                                {"client_released", client / 3},
                                                {"server_released", server / 3}}})}};
    return table;
}

json memory_diff(const TempDir& dir, int client_was, int client_now) {
    const json table = read_table("openssl-3.0.22");
    write_file(dir.path() + "/before.json", with_memory(table, client_was, 46000).dump(2));
    write_file(dir.path() + "/after.json", with_memory(table, client_now, 46000).dump(2));
    Result r = run_tool({"diff", dir.path() + "/before.json", dir.path() + "/after.json", "--format", "json"});
    return json::parse(r.out);
}

// 49,042 -> 50,715 bytes: what 1.1.1w and 3.0.22 hold for a TLS 1.3 client.
TEST(MemoryFindings, AConnectionThatHoldsMoreIsAPerformanceFinding) {
    TempDir dir;
    const json d = memory_diff(dir, 49042, 50715);
    const json* f = finding(d, "memory-grows");
    ASSERT_NE(f, nullptr) << d.dump(2);
    EXPECT_EQ(f->at("severity"), "performance");
    const json& c = evidence_change(d, f->at("evidence").at(0));
    EXPECT_EQ(c.at("note"), "+3.4% client, +0.0% server");
    EXPECT_EQ(c.at("old"), "client 49042 B, server 46000 B");
}

// Counted bytes move by a few bytes from run to run: below 1% and 64 bytes
// nothing is reported.
TEST(MemoryFindings, RunToRunJitterIsNoChange) {
    TempDir dir;
    const json d = memory_diff(dir, 50715, 50740);
    EXPECT_TRUE(d.at("equal").get<bool>()) << d.dump(2);
}

// ---- bulk throughput (snapshot --with-bench) -------------------------------------------

json throughput_diff(const TempDir& dir, double was, double now, double cv) {
    json before = read_table("openssl-3.0.22");
    json after = before;
    auto cases = [cv](double rate) {
        return json{{"cases", json::array({{{"id", "tls1.3/TLS_AES_256_GCM_SHA384/ecdsa-p256/x25519/bulk-16k"},
                                            {"mb_per_second", rate},
                                            {"cv", cv},
                                            {"repetitions", 5}}})}};
    };
    before["throughput"] = cases(was);
    after["throughput"] = cases(now);
    write_file(dir.path() + "/before.json", before.dump(2));
    write_file(dir.path() + "/after.json", after.dump(2));
    Result r = run_tool({"diff", dir.path() + "/before.json", dir.path() + "/after.json", "--format", "json"});
    return json::parse(r.out);
}

// 3,000 -> 2,000 MB/s with 1% spread on each side: beyond twice the
// combined spread (2.8%), so a finding; 3,000 -> 3,060 (2%) is within it.
TEST(ThroughputFindings, ADropBeyondTheNoiseIsAFindingAndNoiseIsNot) {
    TempDir dir;
    const json d = throughput_diff(dir, 3000, 2000, 0.01);
    const json* f = finding(d, "throughput");
    ASSERT_NE(f, nullptr) << d.dump(2);
    EXPECT_EQ(evidence_change(d, f->at("evidence").at(0)).at("note"), "-33.3% (noise ±2.8%)");
    EXPECT_TRUE(throughput_diff(dir, 3000, 3060, 0.01).at("equal").get<bool>());
}

// Findings come most severe first, and every detailed change proves at most
// one finding.
TEST_F(Findings, AreOrderedBySeverityAndShareNoEvidence) {
    const std::vector<std::string> order = {"breaks", "weakens", "strengthens", "performance", "notice", "cosmetic"};
    for (const json* d : {from_111_, from_30_, to_36_, to_40_}) {
        std::size_t last = 0;
        std::set<std::pair<std::string, std::size_t>> used;
        for (const auto& f : d->at("findings")) {
            const auto at = std::find(order.begin(), order.end(), f.at("severity").get<std::string>());
            ASSERT_NE(at, order.end()) << f.dump();
            const auto rank = static_cast<std::size_t>(at - order.begin());
            EXPECT_GE(rank, last) << f.dump();
            last = rank;
            EXPECT_FALSE(f.at("says").get<std::string>().empty());
            EXPECT_FALSE(f.at("evidence").empty()) << f.dump();
            for (const auto& e : f.at("evidence")) {
                EXPECT_TRUE(used.insert({e.at("section"), e.at("index").get<std::size_t>()}).second) << e.dump();
            }
        }
    }
}

// No fact is said twice: within a section no two detailed changes carry the
// same name, kind, values and note (the sides of one are merged).
TEST_F(Findings, NoDetailedChangeIsRepeated) {
    for (const json* d : {from_111_, from_30_, to_36_, to_40_}) {
        for (const auto& s : d->at("sections")) {
            std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> seen;
            for (const auto& c : s.at("changes")) {
                const auto key = std::make_tuple(c.at("name").get<std::string>(), c.at("change").get<std::string>(),
                                                 c.at("old").get<std::string>(), c.at("new").get<std::string>(),
                                                 c.at("note").get<std::string>());
                EXPECT_TRUE(seen.insert(key).second) << s.at("id") << ": " << c.dump();
            }
        }
    }
}

// The text report opens with the same findings, numbered, before any section.
TEST_F(Findings, TheTextReportOpensWithThem) {
    Result r = run_tool({"diff", "openssl-1.1.1w", "openssl-3.0.22"});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const std::size_t findings = r.out.find(" findings ");
    const std::size_t first_section = r.out.find(" library ");
    ASSERT_NE(findings, std::string::npos) << r.out;
    EXPECT_LT(findings, first_section);
    EXPECT_NE(r.out.find("1. TLSv1 and TLSv1.1 no longer complete a handshake"), std::string::npos) << r.out;
    EXPECT_LT(r.out.find(" findings: "), findings) << "the summary comes first";
}

}  // namespace

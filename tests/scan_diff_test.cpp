// Two scans of one server compared, before and after a change: hand-built
// ScanResults, compared directly (compare_scans) and written with
// scan::to_json for the real binary's `diff a.json b.json`, its exit codes,
// findings, formats and --ignore.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scan/scan_diff.hpp"
#include "scan/scan_json.hpp"
#include "support/expect.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using json = nlohmann::json;
using scan::Answer;
using scan::ScanResult;
using scan::Verdict;

scan::CertificateResult certificate(const std::string& sha256, Verdict trusted) {
    scan::CertificateResult c;
    c.key = "rsa-2048";
    c.subject = "CN=www.example.com";
    c.issuer = "CN=Example CA";
    c.names = {"www.example.com"};
    c.not_before = "2026-01-01T00:00:00Z";
    c.not_after = "2027-01-01T00:00:00Z";
    c.lifetime_days = 365;
    c.signature_algorithm = "sha256WithRSAEncryption";
    c.sha256 = sha256;
    c.chain_length = 2;
    c.trusted = trusted;
    c.name_match = {Answer::yes, ""};
    c.served_for = {"TLSv1.3 rsa_pss_rsae_sha256"};
    return c;
}

// A plain modern server that still takes TLS 1.1 with one suite.
ScanResult server() {
    ScanResult s;
    s.target = {"www.example.com", 443, "www.example.com"};
    s.library = "OpenSSL 3.0.22 25 Aug 2026";
    s.protocols = {{"TLSv1", {Answer::no, "protocol version alert"}},
                   {"TLSv1.1", {Answer::yes, ""}},
                   {"TLSv1.2", {Answer::yes, ""}},
                   {"TLSv1.3", {Answer::yes, ""}}};
    s.suites = {{"TLSv1.3", {{"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"}}, std::nullopt},
                {"TLSv1.2",
                 {{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
                  {"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}},
                 true},
                {"TLSv1.1", {{"ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}}, std::nullopt}};
    s.groups = {{"TLSv1.3", {"x25519", "secp256r1"}, true, "x25519"}};
    s.signature_algorithms = {{"TLSv1.3", {"rsa_pss_rsae_sha256"}}};
    s.certificates = {certificate("aa11", {Answer::yes, ""})};
    s.alpn = {{"h2", "http/1.1"}, "h2", {Answer::yes, ""}};
    s.features = {{"fallback_scsv", "TLS_FALLBACK_SCSV (RFC 7507)", {Answer::yes, "inappropriate_fallback alert"}},
                  {"compression", "TLS compression", {Answer::no, ""}}};
    s.profiles_source = "Mozilla server-side TLS 5.7";
    s.profiles = {{"intermediate", false, {"accepts TLSv1.1"}}};
    s.stats = {40, 1234.5};
    return s;
}

const audit::Side kOld{"old.json", ""}, kNew{"new.json", ""};

const audit::Change* change(const audit::Diff& d, const std::string& section, const std::string& name) {
    for (const auto& s : d.sections) {
        if (s.id != section) continue;
        for (const auto& c : s.changes) {
            if (c.name == name) return &c;
        }
    }
    return nullptr;
}

// ---- compare_scans ----------------------------------------------------------------

TEST(CompareScans, EqualScansAreEqualWhateverTheTargetLibraryAndTimings) {
    ScanResult after = server();
    after.target = {"192.0.2.7", 8443, ""};
    after.library = "OpenSSL 3.5.7";
    after.stats = {99, 1.0};
    after.certificates[0].served_for = {"TLSv1.2 rsa_pkcs1_sha256"};
    const audit::Diff d = scan::compare_scans(server(), after, kOld, kNew);
    EXPECT_TRUE(d.equal());
    EXPECT_TRUE(d.findings.empty());
    EXPECT_EQ(d.of, audit::DiffOf::scans);
}

TEST(CompareScans, EachSectionSaysWhatChanged) {
    ScanResult after = server();
    after.protocols[1].accepted = {Answer::no, "protocol version alert"};
    after.suites.pop_back();  // TLS 1.1's suites go with it: not listed again
    after.suites[1].accepted.push_back({"ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"});
    std::swap(after.suites[1].accepted[0], after.suites[1].accepted[1]);
    after.groups[0].preferred = "secp256r1";
    after.alpn.accepted = {"http/1.1"};
    after.features[0].verdict = {Answer::no, "completed TLSv1.2 with the SCSV"};
    after.profiles = {{"intermediate", true, {}}};
    const audit::Diff d = scan::compare_scans(server(), after, kOld, kNew);

    const audit::Change* tls11 = change(d, "scan.protocols", "TLSv1.1");
    ASSERT_NE(tls11, nullptr);
    EXPECT_EQ(tls11->kind, audit::ChangeKind::removed);
    EXPECT_EQ(change(d, "scan.suites", "TLSv1.1 ECDHE-RSA-AES128-SHA"), nullptr);
    const audit::Change* cbc = change(d, "scan.suites", "TLSv1.2 ECDHE-RSA-AES128-SHA256");
    ASSERT_NE(cbc, nullptr);
    EXPECT_EQ(cbc->kind, audit::ChangeKind::added);
    EXPECT_EQ(cbc->new_text, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
    const audit::Change* order = change(d, "scan.suites", "TLSv1.2 order");
    ASSERT_NE(order, nullptr);
    EXPECT_EQ(order->old_text, "ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384");
    EXPECT_NE(change(d, "scan.groups", "TLSv1.3 preferred"), nullptr);
    EXPECT_NE(change(d, "scan.alpn", "h2"), nullptr);
    const audit::Change* scsv = change(d, "scan.features", "fallback_scsv");
    ASSERT_NE(scsv, nullptr);
    EXPECT_EQ(scsv->old_text, "yes (inappropriate_fallback alert)");
    EXPECT_EQ(scsv->new_text, "no (completed TLSv1.2 with the SCSV)");
    EXPECT_NE(change(d, "scan.profiles", "intermediate"), nullptr);

    ASSERT_FALSE(d.findings.empty());
    EXPECT_EQ(d.findings.front().rule, "scan-protocol-refused");
    for (const auto& f : d.findings) EXPECT_EQ(f.origin, "") << f.rule;  // the server is the only cause
}

TEST(CompareScans, NotTestedIsNoChangeButANote) {
    ScanResult after = server();
    after.protocols[1].accepted = {Answer::not_tested, "library lacks TLSv1.1"};
    after.features[1].verdict = {Answer::not_tested, "library lacks compression"};
    const audit::Diff d = scan::compare_scans(server(), after, kOld, kNew);
    EXPECT_TRUE(d.equal());
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_NE(d.notes[0].find("TLSv1.1 was not tested by the new scan (library lacks TLSv1.1)"), std::string::npos)
        << d.notes[0];
    EXPECT_NE(d.notes[0].find("found it accepted"), std::string::npos) << d.notes[0];
}

TEST(CompareScans, ARemovedSuiteBreaksOnlyWhenItWasTheLastOfItsVersion) {
    ScanResult one_left = server();
    one_left.suites[1].accepted.pop_back();
    const audit::Diff notice = scan::compare_scans(server(), one_left, kOld, kNew);
    ASSERT_EQ(notice.findings.size(), 1u);
    EXPECT_EQ(notice.findings[0].severity, audit::Severity::notice);

    ScanResult none_left = server();
    none_left.suites[2].accepted.clear();
    const audit::Diff breaks = scan::compare_scans(server(), none_left, kOld, kNew);
    ASSERT_EQ(breaks.findings.size(), 1u);
    EXPECT_EQ(breaks.findings[0].severity, audit::Severity::breaks);
    EXPECT_EQ(breaks.findings[0].rule, "scan-last-removed");
}

TEST(CompareScans, ARenewedCertificateIsOneReplacedChangeBesideItsNewFields) {
    ScanResult after = server();
    after.certificates[0].sha256 = "bb22";
    after.certificates[0].not_after = "2028-01-01T00:00:00Z";
    const audit::Diff d = scan::compare_scans(server(), after, kOld, kNew);
    ASSERT_EQ(d.sections.size(), 1u);
    ASSERT_EQ(d.sections[0].changes.size(), 2u);
    EXPECT_EQ(d.sections[0].changes[0].name, "rsa-2048");
    EXPECT_EQ(d.sections[0].changes[0].note, "replaced");
    EXPECT_EQ(d.sections[0].changes[1].name, "rsa-2048 not_after");
}

TEST(CompareScans, IgnoredSectionsMakeNoFindings) {
    ScanResult after = server();
    after.protocols[1].accepted = {Answer::no, ""};
    const audit::Diff d = scan::compare_scans(server(), after, kOld, kNew, {"scan.protocols"});
    EXPECT_TRUE(d.equal());
    EXPECT_TRUE(d.findings.empty());
}

// ---- the binary -----------------------------------------------------------------------

class ScanDiff : public ::testing::Test {
  protected:
    std::string write(const std::string& name, const ScanResult& s) {
        const std::string path = dir_.path() + "/" + name;
        write_file(path, scan::to_json(s).dump(2) + "\n");
        return path;
    }
    // `diff OLD NEW -f json` on `before` and `after`, its exit code checked.
    json diff_json(const ScanResult& before, const ScanResult& after, int expected_exit,
                   std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"diff", write("old.json", before), write("new.json", after), "-f", "json"};
        args.insert(args.end(), extra.begin(), extra.end());
        const Result r = run_tool(args);
        EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out.substr(0, 3000);
        EXPECT_EQ(r.err, "");
        return json::parse(r.out);
    }
    TempDir dir_;
};

bool has_section(const json& d, const std::string& id) {
    const auto& s = d.at("sections");
    return std::any_of(s.begin(), s.end(), [&](const json& x) { return x.at("id") == id; });
}

TEST_F(ScanDiff, EqualScansExitZero) {
    const Result r = run_tool({"diff", write("a.json", server()), write("b.json", server())});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("no differences"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("origin:"), std::string::npos) << r.out;
}

TEST_F(ScanDiff, DroppingTlsOneOneBreaksFirst) {
    ScanResult after = server();
    after.protocols[1].accepted = {Answer::no, "protocol version alert"};
    after.suites.pop_back();
    const json d = diff_json(server(), after, 1);
    EXPECT_EQ(d.at("compares"), "scans");
    ASSERT_FALSE(d.at("findings").empty());
    const json& first = d.at("findings").at(0);
    EXPECT_EQ(first.at("severity"), "breaks");
    EXPECT_NE(first.at("says").get<std::string>().find("TLSv1.1"), std::string::npos) << first.dump(2);
    EXPECT_EQ(first.at("origin"), "");
    EXPECT_EQ(first.at("evidence").at(0).at("section"), "scan.protocols");

    // The text report opens with the same finding, and has no origin line.
    const Result text = run_tool({"diff", dir_.path() + "/old.json", dir_.path() + "/new.json", "--findings-only"});
    EXPECT_EQ(text.exit_code, 1);
    EXPECT_NE(text.out.find("1. The server no longer accepts TLSv1.1."), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("origin:"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("protocol versions the server accepts"), std::string::npos) << text.out;
}

TEST_F(ScanDiff, ACbcSuiteAddedWeakens) {
    ScanResult after = server();
    after.suites[1].accepted.push_back({"ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"});
    const json d = diff_json(server(), after, 1);
    ASSERT_EQ(d.at("findings").size(), 1u) << d.dump(2);
    EXPECT_EQ(d.at("findings").at(0).at("severity"), "weakens");
    EXPECT_EQ(d.at("findings").at(0).at("rule"), "scan-weak-suites-accepted");
}

TEST_F(ScanDiff, ACertificateReplacedWithAnUntrustedOneBreaks) {
    ScanResult after = server();
    after.certificates = {certificate("cc33", {Answer::no, "self-signed certificate"})};
    const json d = diff_json(server(), after, 1);
    const json& first = d.at("findings").at(0);
    EXPECT_EQ(first.at("severity"), "breaks") << d.dump(2);
    EXPECT_EQ(first.at("rule"), "scan-certificate-untrusted");
    EXPECT_NE(first.at("says").get<std::string>().find("self-signed certificate"), std::string::npos);
}

TEST_F(ScanDiff, JsonHoldsTheFindingsAndIgnoreDropsASection) {
    ScanResult after = server();
    after.suites[1].accepted.pop_back();
    after.features[1].verdict = {Answer::yes, "zlib"};
    const json all = diff_json(server(), after, 1);
    EXPECT_TRUE(has_section(all, "scan.suites"));
    EXPECT_TRUE(has_section(all, "scan.features"));
    EXPECT_EQ(all.at("findings").size(), 2u) << all.dump(2);
    EXPECT_EQ(all.at("findings").at(0).at("rule"), "scan-compression-on");

    const json some = diff_json(server(), after, 1, {"--ignore", "scan.suites"});
    EXPECT_FALSE(has_section(some, "scan.suites"));
    EXPECT_TRUE(has_section(some, "scan.features"));
    EXPECT_EQ(some.at("findings").size(), 1u);

    diff_json(server(), after, 0, {"--ignore", "scan.suites", "--ignore", "scan.features"});
}

TEST_F(ScanDiff, MarkdownHasTheFindingWithoutAnOrigin) {
    ScanResult after = server();
    after.alpn.accepted = {"http/1.1"};
    const Result r = run_tool({"diff", write("a.json", server()), write("b.json", after), "-f", "markdown"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("**breaks connections**: The server no longer accepts the ALPN protocol h2."),
              std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("origin:"), std::string::npos) << r.out;
}

TEST_F(ScanDiff, AScanAgainstASnapshotIsOneLineAndExitTwo) {
    const std::string scan_file = write("scan.json", server());
    expect_one_line_error(run_tool({"diff", scan_file, "openssl-3.0.22"}), 2, "diff compares two scans");
    expect_one_line_error(run_tool({"diff", "openssl-3.0.22", scan_file}), 2, "is a scan and the other side is not");
}

TEST_F(ScanDiff, SnapshotPartsAreRefusedForScans) {
    const Result r = run_tool({"diff", write("a.json", server()), write("b.json", server()), "--ignore", "ciphers"});
    expect_one_line_error(r, 2, "--ignore ciphers applies to snapshots, not to scans");
    EXPECT_NE(r.err.find("scan.suites"), std::string::npos) << r.err;
    expect_one_line_error(run_tool({"diff", "openssl-3.0.22", "openssl-3.0.22", "--ignore", "scan.alpn"}), 2,
                          "--ignore scan.alpn applies to scans");
}

TEST_F(ScanDiff, ABrokenScanNamesTheFileAndWhere) {
    nlohmann::ordered_json doc = scan::to_json(server());
    doc.erase("protocols");
    const std::string path = dir_.path() + "/broken.json";
    write_file(path, doc.dump());
    expect_one_line_error(run_tool({"diff", path, write("ok.json", server())}), 2, "broken.json: /protocols");
}

}  // namespace
}  // namespace sslfeatures::testing

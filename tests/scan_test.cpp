// `sslfeatures scan` against real servers whose configuration the test
// wrote: nginx (dual RSA and ECDSA certificates, a chosen suite order),
// openssl s_server, gnutls-serv and our own server. What the scan finds is
// held against each configuration, and against sslscan's findings for the
// same nginx.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/expect.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/sslscan.hpp"
#include "support/tool_json.hpp"

namespace sslfeatures::testing {
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, sep);) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

json scan_json(const std::string& target, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"scan", target, "-f", "json", "-a", ServerCerts::get().ca};
    args.insert(args.end(), extra.begin(), extra.end());
    const JsonRun run = run_tool_json(args);
    EXPECT_EQ(run.result.exit_code, 0) << run.result.err;
    return run.doc;
}

std::string answer(const json& verdict) { return verdict.at("answer").get<std::string>(); }

std::map<std::string, std::string> protocols(const json& scan) {
    std::map<std::string, std::string> out;
    for (const json& p : scan.at("protocols")) out[p.at("name")] = answer(p.at("accepted"));
    return out;
}

const json& list_for(const json& scan, const char* section, const std::string& protocol) {
    for (const json& l : scan.at(section)) {
        if (l.at("protocol") == protocol) return l;
    }
    static const json none = {{"accepted", json::array()}, {"server_order", nullptr}};
    return none;
}

std::vector<std::string> suite_names(const json& scan, const std::string& protocol) {
    std::vector<std::string> names;
    for (const json& s : list_for(scan, "suites", protocol).at("accepted")) names.push_back(s.at("name"));
    return names;
}

std::set<std::string> group_set(const json& scan, const std::string& protocol) {
    const json& accepted = list_for(scan, "groups", protocol).at("accepted");
    return {accepted.begin(), accepted.end()};
}

std::string feature(const json& scan, const std::string& id) {
    for (const json& f : scan.at("features")) {
        if (f.at("id") == id) return answer(f.at("verdict"));
    }
    return "missing";
}

// ---- nginx, configured here, scanned once for the suite ---------------------------

NginxConfig nginx_config() {
    NginxConfig c;
    c.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA";
    c.prefer_server_ciphers = true;
    c.ecdh_curve = "X25519:secp384r1:prime256v1";
    c.tls13_ciphersuites = "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";
    return c;
}

class ScanNginx : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!missing_programs({"nginx", "sslscan"}).empty()) return;
        server_ = new NginxServer(nginx_config());
        scan_ = new json(scan_json(server_->address()));
    }
    static void TearDownTestSuite() {
        delete scan_;
        delete server_;
        scan_ = nullptr;
        server_ = nullptr;
    }
    void SetUp() override {
        SF_REQUIRE_PROGRAMS("nginx", "sslscan");
        ASSERT_NE(scan_, nullptr);
        ASSERT_TRUE(scan_->is_object()) << "the scan printed no JSON";
    }
    static NginxServer* server_;
    static json* scan_;
};
NginxServer* ScanNginx::server_ = nullptr;
json* ScanNginx::scan_ = nullptr;

TEST_F(ScanNginx, AcceptsExactlyTheConfiguredProtocols) {
    const auto p = protocols(*scan_);
    EXPECT_EQ(p.at("TLSv1.3"), "yes");
    EXPECT_EQ(p.at("TLSv1.2"), "yes");
    EXPECT_EQ(p.at("TLSv1.1"), "no");
    EXPECT_EQ(p.at("TLSv1"), "no");
    EXPECT_NE(p.at("SSLv3"), "yes");
}

TEST_F(ScanNginx, FindsTheTls12SuitesInTheConfiguredOrder) {
    EXPECT_EQ(suite_names(*scan_, "TLSv1.2"), split(server_->config().ciphers, ':'));
    EXPECT_EQ(list_for(*scan_, "suites", "TLSv1.2").at("server_order"), true);
}

TEST_F(ScanNginx, FindsTheConfiguredTls13Suites) {
    std::vector<std::string> iana;
    for (const json& s : list_for(*scan_, "suites", "TLSv1.3").at("accepted")) iana.push_back(s.at("iana"));
    std::vector<std::string> configured = split(server_->config().tls13_ciphersuites, ':');
    std::sort(iana.begin(), iana.end());
    std::sort(configured.begin(), configured.end());
    EXPECT_EQ(iana, configured);
}

TEST_F(ScanNginx, FindsTheConfiguredGroupsForBothVersions) {
    const std::set<std::string> configured = {"x25519", "secp384r1", "secp256r1"};  // X25519:secp384r1:prime256v1
    EXPECT_EQ(group_set(*scan_, "TLSv1.3"), configured);
    EXPECT_EQ(group_set(*scan_, "TLSv1.2"), configured);
}

TEST_F(ScanNginx, SeesBothCertificatesTrustedAndForTheName) {
    std::map<std::string, std::string> subject_by_key;
    for (const json& c : scan_->at("certificates")) {
        subject_by_key[c.at("key")] = c.at("subject");
        EXPECT_EQ(answer(c.at("trusted")), "yes") << c.dump();
        EXPECT_EQ(answer(c.at("name_match")), "yes") << c.dump();
    }
    ASSERT_EQ(subject_by_key.size(), 2u) << scan_->at("certificates").dump(2);
    EXPECT_EQ(subject_by_key.at("rsa-2048"), "CN=" + ServerCerts::get().rsa.subject_cn);
    EXPECT_EQ(subject_by_key.at("ecdsa-p256"), "CN=" + ServerCerts::get().ecdsa.subject_cn);
}

TEST_F(ScanNginx, ResumesByIdAndTicketAsConfigured) {
    EXPECT_EQ(feature(*scan_, "resumption.session_id"), "yes");  // ssl_session_cache shared
    EXPECT_EQ(feature(*scan_, "resumption.ticket"), "yes");      // ssl_session_tickets on
    EXPECT_EQ(feature(*scan_, "resumption.tls13"), "yes");
    EXPECT_EQ(feature(*scan_, "secure_renegotiation"), "yes");
    EXPECT_EQ(feature(*scan_, "ocsp_stapling"), "no");           // ssl_stapling off
    // A key share for a group outside ssl_ecdh_curve: OpenSSL asks for another.
    EXPECT_EQ(feature(*scan_, "hello_retry_request"), "yes");
}

TEST_F(ScanNginx, AgreesWithSslscan) {
    const SslscanResult theirs = sslscan(server_->address());
    ASSERT_EQ(theirs.error, "") << theirs.run.out;
    const auto ours = protocols(*scan_);
    for (const char* v : {"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}) {
        const std::string our_name = std::string(v) == "TLSv1.0" ? "TLSv1" : v;
        EXPECT_EQ(theirs.protocols.at(v), ours.at(our_name) == "yes") << v;
    }
    std::vector<std::string> their12 = theirs.ciphers_for("TLSv1.2"), our12 = suite_names(*scan_, "TLSv1.2");
    EXPECT_EQ(theirs.preferred_cipher("TLSv1.2"), our12.front());
    std::sort(their12.begin(), their12.end());
    std::sort(our12.begin(), our12.end());
    EXPECT_EQ(their12, our12);
    std::set<std::string> their_groups;
    for (const SslscanGroup& g : theirs.groups) {
        if (g.version == "TLSv1.2") their_groups.insert(split(g.name, ' ').front());
    }
    EXPECT_EQ(their_groups, group_set(*scan_, "TLSv1.2"));
    ASSERT_TRUE(theirs.fallback_scsv.has_value()) << theirs.fallback_text;
    EXPECT_EQ(*theirs.fallback_scsv, feature(*scan_, "fallback_scsv") == "yes") << theirs.fallback_text;
}

TEST_F(ScanNginx, ProfileOptionExitsOneOnDeviation) {
    // TLS 1.2 is on, which Mozilla's modern profile does not allow.
    const JsonRun run = run_tool_json({"scan", server_->address(), "-f", "json", "-a", ServerCerts::get().ca, "--profile", "modern"});
    EXPECT_EQ(run.result.exit_code, 1) << run.result.err;
    const json& modern = run.doc.at("profiles").at(0);
    ASSERT_EQ(modern.at("profile"), "modern");
    EXPECT_EQ(modern.at("complies"), false);
    const json& deviations = modern.at("deviations");
    EXPECT_NE(std::find(deviations.begin(), deviations.end(), "accepts TLSv1.2, which the modern profile does not allow"),
              deviations.end()) << deviations.dump(2);
    expect_usage_error({"scan", server_->address(), "--profile", "strict"}, "strict");
}

// ---- two scans compared -------------------------------------------------------------

std::string scan_to_file(const std::string& target, const std::string& path) {
    const Result r = run_tool({"scan", target, "-f", "json", "-o", path, "-a", ServerCerts::get().ca});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
}

TEST(ScanDiffLive, TwoScansOfOneServerAreEqual) {
    SF_REQUIRE_PROGRAMS("nginx");
    const TempDir dir;
    NginxServer server(nginx_config());
    const Result r = run_tool({"diff", scan_to_file(server.address(), dir.path() + "/a.json"),
                               scan_to_file(server.address(), dir.path() + "/b.json")});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(ScanDiffLive, ATls12ServerUpgradedToTls13OnlyBreaksTls12ClientsFirst) {
    SF_REQUIRE_PROGRAMS("nginx");
    const TempDir dir;
    std::string before, after;
    {
        NginxServer server(nginx_config());
        before = scan_to_file(server.address(), dir.path() + "/before.json");
    }
    {
        NginxConfig config = nginx_config();
        config.protocols = {"TLSv1.3"};
        NginxServer server(config);
        after = scan_to_file(server.address(), dir.path() + "/after.json");
    }
    const JsonRun run = run_tool_json({"diff", before, after, "-f", "json"});
    EXPECT_EQ(run.result.exit_code, 1) << run.result.err;
    const json& first = run.doc.at("findings").at(0);
    EXPECT_EQ(first.at("severity"), "breaks") << first.dump(2);
    EXPECT_NE(first.at("says").get<std::string>().find("TLSv1.2"), std::string::npos) << first.dump(2);
}

// ---- other servers ------------------------------------------------------------------

TEST(ScanOpensslServer, ATls12OnlyServerInItsOwnOrderWithEncryptThenMac) {
    SF_REQUIRE_PROGRAMS("openssl");
    const std::string ciphers = "ECDHE-RSA-AES128-SHA:AES256-SHA:ECDHE-RSA-AES256-GCM-SHA384";
    OpensslServer server(ServerCerts::get().rsa, {"-tls1_2", "-cipher", ciphers, "-serverpref"});
    const json scan = scan_json(server.address());
    const auto p = protocols(scan);
    EXPECT_EQ(p.at("TLSv1.3"), "no");
    EXPECT_EQ(p.at("TLSv1.2"), "yes");
    EXPECT_EQ(suite_names(scan, "TLSv1.2"), split(ciphers, ':'));
    EXPECT_EQ(list_for(scan, "suites", "TLSv1.2").at("server_order"), true);
    EXPECT_EQ(feature(scan, "encrypt_then_mac"), "yes");
    EXPECT_EQ(feature(scan, "extended_master_secret"), "yes");
    EXPECT_EQ(feature(scan, "fallback_scsv"), "not applicable");
    EXPECT_EQ(feature(scan, "resumption.tls13"), "not applicable");
}

TEST(ScanOpensslServer, ClientOrderIsSeenAsSuch) {
    SF_REQUIRE_PROGRAMS("openssl");
    OpensslServer server(ServerCerts::get().ecdsa, {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"});
    const json scan = scan_json(server.address());
    EXPECT_EQ(list_for(scan, "suites", "TLSv1.2").at("server_order"), false);
    EXPECT_EQ(suite_names(scan, "TLSv1.2").size(), 2u);
}

TEST(ScanGnutlsServer, SeesGnutlsVersionsAndTheFallbackSignal) {
    SF_REQUIRE_PROGRAMS("gnutls-serv");
    GnutlsServer server(ServerCerts::get().ecdsa,
                        {"--echo", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"});
    const json scan = scan_json(server.address());
    const auto p = protocols(scan);
    EXPECT_EQ(p.at("TLSv1.3"), "yes");
    EXPECT_EQ(p.at("TLSv1.2"), "yes");
    EXPECT_EQ(p.at("TLSv1.1"), "no");
    EXPECT_EQ(feature(scan, "fallback_scsv"), "yes");
}

TEST(ScanOurServer, OffersOnlyForwardSecretAeadSuites) {
    SslfeaturesServer server(ServerCerts::get().ecdsa.pem);
    const json scan = scan_json(server.address());
    const auto p = protocols(scan);
    EXPECT_EQ(p.at("TLSv1.1"), "no");
    EXPECT_EQ(p.at("TLSv1.3"), "yes");
    const json& tls12 = list_for(scan, "suites", "TLSv1.2").at("accepted");
    ASSERT_FALSE(tls12.empty());
    for (const json& s : tls12) {
        const std::string iana = s.at("iana");
        EXPECT_TRUE(iana.find("_ECDHE_") != std::string::npos || iana.find("_DHE_") != std::string::npos) << iana;
        EXPECT_TRUE(iana.find("GCM") != std::string::npos || iana.find("CHACHA20") != std::string::npos) << iana;
    }
    EXPECT_LE(scan.at("stats").at("connections").get<int>(), 2000);
}

// ---- bad input -------------------------------------------------------------------------

TEST(ScanErrors, BadTargetsAreUsageErrors) {
    // A bare IPv6 address takes no port ("::1:443" is itself an address); two colons otherwise are wrong.
    expect_usage_error({"scan", "localhost:443:1"}, "an IPv6 address goes in brackets");
    expect_usage_error({"scan", "bad_name!:443"}, "neither a host name nor an IP address");
    expect_usage_error({"scan", "127.0.0.1:0"}, "not between 1 and 65535");
    expect_usage_error({"scan", "[::1"}, "has no ']'");
    expect_usage_error({"scan", ":443"}, "no host");
}

TEST(ScanErrors, AMissingCaFileIsNamedBeforeAnyConnection) {
    // Nothing listens on the port: the CA file must be refused first.
    const Result r = run_tool({"scan", "127.0.0.1:" + std::to_string(free_port()), "-a", "/nonexistent/ca.pem"});
    expect_one_line_error(r, 2, "cannot read CA file '/nonexistent/ca.pem': No such file or directory");
}

TEST(ScanErrors, APlainHttpServerIsNotTls) {
    const int port = free_port();
    Background http({"python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", std::to_string(port)});
    ASSERT_NE(http.wait_for(std::regex("Serving HTTP")), "") << http.output();
    const Result r = run_tool({"scan", "127.0.0.1:" + std::to_string(port)});
    expect_one_line_error(r, 14, "does not answer in TLS");
}

TEST(ScanErrors, NothingListeningIsConnectionRefused) {
    const Result r = run_tool({"scan", "127.0.0.1:" + std::to_string(free_port())});
    expect_one_line_error(r, 10, "refused");
}

TEST(ScanErrors, TheConnectionBudgetIsKept) {
    SF_REQUIRE_PROGRAMS("openssl");
    OpensslServer server(ServerCerts::get().ecdsa);
    const Result r = run_tool({"scan", server.address(), "--max-connections", "10"});
    expect_one_line_error(r, 3, "--max-connections");
}

}  // namespace
}  // namespace sslfeatures::testing

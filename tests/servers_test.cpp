// The test servers of support/servers and sslscan's reading of them, proved
// by an independent path: `openssl s_client` connects to each server and must
// see the protocol, suite and certificate it was configured with; sslscan's
// parsed findings for an nginx of known configuration must list exactly that
// configuration; and a destroyed server must leave no process and no open
// port behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <regex>

#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/sslscan.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

const ServerCerts& certs() { return ServerCerts::get(); }

// `openssl s_client -brief` against `server` with `args`, the CA trusted and
// a verification failure fatal; stdin is empty, so it ends after the
// handshake. -brief prints the handshake's facts on stderr as soon as it is
// done; the full output's SSL-Session block for TLS 1.3 waits for a ticket
// that an early close may never read. `brief` false gives the full output.
Result s_client(TlsServer& server, const std::vector<std::string>& args, bool brief = true) {
    std::vector<std::string> a{"s_client", "-connect", server.address(), "-servername", "localhost",
                               "-CAfile", certs().ca, "-verify_return_error"};
    if (brief) a.push_back("-brief");
    a.insert(a.end(), args.begin(), args.end());
    return openssl(a);
}

// A line of s_client -brief ("Protocol version", "Ciphersuite"), or "".
std::string brief_value(const Result& r, const std::string& label) {
    std::smatch m;
    return std::regex_search(r.err, m, std::regex("(^|\\n)" + label + ": ([^\\n]*)\\n")) ? m[2].str() : "";
}

// The CN of the certificate the server sent, from s_client -brief.
std::string peer_cn(const Result& r) {
    std::smatch m;
    return std::regex_search(r.err, m, std::regex("\\nPeer certificate: .*CN ?= ?([^,\\n]+)\\n")) ? m[1].str() : "";
}

// No process of the server's group is left (nginx's workers included).
bool group_gone(int pgid) { return ::kill(-pgid, 0) != 0 && errno == ESRCH; }

// --- nginx -------------------------------------------------------------------------

TEST(Nginx, SendsTheCertificateTheClientsSignatureAlgorithmsSelect) {
    SF_REQUIRE_PROGRAMS("nginx", "openssl");
    NginxServer nginx;  // RSA and ECDSA, TLS 1.2 and 1.3
    for (const char* version : {"-tls1_3", "-tls1_2"}) {
        Result ec = s_client(nginx, {version, "-sigalgs", "ecdsa_secp256r1_sha256"});
        ASSERT_EQ(ec.exit_code, 0) << ec.out << ec.err << nginx.log();
        EXPECT_EQ(peer_cn(ec), certs().ecdsa.subject_cn) << version << "\n" << ec.err;
        Result rsa = s_client(nginx, {version, "-sigalgs", "rsa_pss_rsae_sha256"});
        ASSERT_EQ(rsa.exit_code, 0) << rsa.out << rsa.err << nginx.log();
        EXPECT_EQ(peer_cn(rsa), certs().rsa.subject_cn) << version << "\n" << rsa.err;
    }
}

TEST(Nginx, NegotiatesOnlyTheConfiguredProtocolAndServerOrder) {
    SF_REQUIRE_PROGRAMS("nginx", "openssl");
    NginxConfig config;
    config.protocols = {"TLSv1.2"};
    config.ciphers = "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256";
    config.prefer_server_ciphers = true;
    NginxServer nginx(config);
    EXPECT_EQ(nginx.config().ciphers, config.ciphers);
    EXPECT_NE(nginx.conf_text().find("ssl_protocols TLSv1.2;"), std::string::npos) << nginx.conf_text();

    // The client offers the server's two suites in the other order: the
    // server's order wins.
    Result r = s_client(nginx, {"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << nginx.log();
    EXPECT_EQ(brief_value(r, "Protocol version"), "TLSv1.2") << r.err;
    EXPECT_EQ(brief_value(r, "Ciphersuite"), "ECDHE-RSA-CHACHA20-POLY1305") << r.err;
    EXPECT_EQ(peer_cn(r), certs().rsa.subject_cn) << r.err;

    Result tls13 = s_client(nginx, {"-tls1_3"});
    EXPECT_NE(tls13.exit_code, 0) << "TLS 1.3 is not configured, yet:\n" << tls13.out;
    Result other = s_client(nginx, {"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"});
    EXPECT_NE(other.exit_code, 0) << "a suite outside ssl_ciphers was accepted:\n" << other.out;
}

TEST(Nginx, IssuesTicketsOnlyWhenConfigured) {
    SF_REQUIRE_PROGRAMS("nginx", "openssl");
    for (bool tickets : {true, false}) {
        NginxConfig config;
        config.session_tickets = tickets;
        NginxServer nginx(config);
        Result r = s_client(nginx, {"-tls1_2"}, false);
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err << nginx.log();
        EXPECT_EQ(r.out.find("TLS session ticket:") != std::string::npos, tickets)
            << "ssl_session_tickets " << tickets << "\n" << r.out;
    }
}

TEST(Nginx, KeepsItsFilesInItsDirectoryAndLeavesNothingRunning) {
    SF_REQUIRE_PROGRAMS("nginx");
    int port = 0, pid = 0;
    std::string dir;
    {
        NginxServer nginx;
        port = nginx.port();
        pid = nginx.process().pid();
        dir = nginx.dir();
        for (const char* f : {"nginx.pid", "error.log", "client_body"})
            EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f << "\n" << nginx.log();
        // As root its workers must stay the user that started it.
        EXPECT_EQ(nginx.conf_text().find("user ") != std::string::npos, ::geteuid() == 0) << nginx.conf_text();
        EXPECT_TRUE(port_accepts(port));
        EXPECT_TRUE(nginx.running());
    }
    EXPECT_FALSE(port_accepts(port)) << "port " << port << " still open";
    EXPECT_TRUE(group_gone(pid)) << "nginx's process group " << pid << " outlived the object";
    EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Nginx, AConfigurationErrorFailsTheStartWithNginxsMessage) {
    SF_REQUIRE_PROGRAMS("nginx");
    NginxConfig config;
    config.extra = "ssl_no_such_directive on;";
    const auto start = std::chrono::steady_clock::now();
    try {
        NginxServer nginx(config);
        ADD_FAILURE() << "nginx started with an unknown directive";
    } catch (const ServerError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown directive \"ssl_no_such_directive\""), std::string::npos)
            << e.what();
    }
    // A process that exits is noticed at once, not at the deadline.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// --- openssl s_server, gnutls-serv, sslfeatures server --------------------------------

TEST(OpensslServer, NegotiatesTheConfiguredVersionAndSuite) {
    SF_REQUIRE_PROGRAMS("openssl");
    OpensslServer server(certs().ecdsa, {"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", "-www"});
    Result r = s_client(server, {});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server.log();
    EXPECT_EQ(brief_value(r, "Protocol version"), "TLSv1.2") << r.err;
    EXPECT_EQ(brief_value(r, "Ciphersuite"), "ECDHE-ECDSA-CHACHA20-POLY1305") << r.err;
    EXPECT_EQ(peer_cn(r), certs().ecdsa.subject_cn) << r.err;
}

TEST(OpensslServer, NacceptLeavesTheTestItsConnections) {
    SF_REQUIRE_PROGRAMS("openssl");
    OpensslServer server(certs().rsa, {"-naccept", "1", "-www"});
    Result r = s_client(server, {});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server.log();
    EXPECT_EQ(peer_cn(r), certs().rsa.subject_cn) << r.err;
    // Its one connection (beyond the readiness handshake) served, it ends.
    EXPECT_EQ(server.process().wait(10s), 0) << server.log();
}

TEST(OpensslServer, AFailedStartCarriesItsOutput) {
    SF_REQUIRE_PROGRAMS("openssl");
    try {
        OpensslServer server(certs().rsa, {"-no-such-option"});
        ADD_FAILURE() << "s_server started with an unknown option";
    } catch (const ServerError& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-option"), std::string::npos) << e.what();
    }
}

TEST(GnutlsServer, NegotiatesTheConfiguredPriority) {
    SF_REQUIRE_PROGRAMS("gnutls-serv", "openssl");
    GnutlsServer server(certs().rsa, {"--echo", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM"});
    Result r = s_client(server, {});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server.log();
    EXPECT_EQ(brief_value(r, "Protocol version"), "TLSv1.2") << r.err;
    EXPECT_EQ(brief_value(r, "Ciphersuite"), "ECDHE-RSA-AES256-GCM-SHA384") << r.err;
    EXPECT_EQ(peer_cn(r), certs().rsa.subject_cn) << r.err;
}

TEST(SslfeaturesServer, ServesTls13WithTheGivenCertificate) {
    SF_REQUIRE_PROGRAMS("openssl");
    SslfeaturesServer server(certs().ecdsa.pem);
    Result r = s_client(server, {});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server.log();
    EXPECT_EQ(brief_value(r, "Protocol version"), "TLSv1.3") << r.err;
    EXPECT_EQ(peer_cn(r), certs().ecdsa.subject_cn) << r.err;
    // Our secure server refuses what its defaults exclude; the client is
    // allowed TLS 1.1 (security level 0), so the refusal is the server's.
    Result old = s_client(server, {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"});
    EXPECT_NE(old.exit_code, 0) << old.out;
    EXPECT_NE((old.out + old.err).find("alert protocol version"), std::string::npos) << old.out << old.err;
}

TEST(Servers, EveryKindLeavesNoProcessAndNoOpenPort) {
    SF_REQUIRE_PROGRAMS("nginx", "openssl", "gnutls-serv");
    std::vector<std::unique_ptr<TlsServer>> servers;
    servers.push_back(std::make_unique<NginxServer>());
    servers.push_back(std::make_unique<OpensslServer>(certs().ecdsa, std::vector<std::string>{"-www"}));
    servers.push_back(std::make_unique<GnutlsServer>(certs().ecdsa));
    servers.push_back(std::make_unique<SslfeaturesServer>(certs().rsa.pem));
    std::vector<std::pair<int, int>> ports_and_groups;
    for (auto& s : servers) {
        EXPECT_TRUE(tls_handshake_succeeds(s->port(), 5s)) << s->log();
        ports_and_groups.emplace_back(s->port(), s->process().pid());
    }
    servers.clear();
    for (auto [port, pgid] : ports_and_groups) {
        EXPECT_FALSE(port_accepts(port)) << "port " << port;
        EXPECT_TRUE(group_gone(pgid)) << "process group " << pgid;
    }
}

TEST(Servers, AMissingProgramIsNamed) {
    EXPECT_EQ(missing_programs({"sh"}), "");
    EXPECT_EQ(find_program("sslfeatures-no-such-program"), "");
    EXPECT_NE(missing_programs({"sh", "sslfeatures-no-such-program"}).find("sslfeatures-no-such-program"),
              std::string::npos);
}

// --- sslscan -----------------------------------------------------------------------

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST(Sslscan, ListsExactlyWhatNginxIsConfiguredWith) {
    SF_REQUIRE_PROGRAMS("nginx", "sslscan");
    NginxConfig config;
    config.protocols = {"TLSv1.2", "TLSv1.3"};
    const std::vector<std::string> tls12 = {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
                                            "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES256-SHA384"};
    config.ciphers = tls12[0] + ":" + tls12[1] + ":" + tls12[2] + ":" + tls12[3];
    config.prefer_server_ciphers = true;
    config.ecdh_curve = "X25519:secp384r1";
    config.tls13_ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
    NginxServer nginx(config);

    SslscanResult scan = sslscan(nginx.address());
    ASSERT_EQ(scan.error, "") << scan.run.out << scan.run.err << scan.xml;
    EXPECT_EQ(scan.enabled_protocols(), (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
    EXPECT_EQ(scan.protocols.size(), 6u) << "SSLv2 to TLSv1.3, each reported";
    // With server preference sslscan's order is the server's order.
    EXPECT_EQ(scan.ciphers_for("TLSv1.2"), tls12) << scan.run.out;
    EXPECT_EQ(scan.preferred_cipher("TLSv1.2"), tls12[0]);
    EXPECT_EQ(sorted(scan.ciphers_for("TLSv1.3")),
              (std::vector<std::string>{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}));
    for (const char* v : {"TLSv1.2", "TLSv1.3"})
        EXPECT_EQ(sorted(scan.group_ids_for(v)), (std::vector<std::string>{"0x0018", "0x001d"})) << v;
    for (const SslscanCipher& c : scan.ciphers) {
        EXPECT_TRUE(c.version == "TLSv1.2" || c.version == "TLSv1.3") << c.version;
        EXPECT_FALSE(c.id.empty());
        EXPECT_GT(c.bits, 0) << c.name;
    }

    // It sees one of the two certificates: the one its signature algorithms pick.
    ASSERT_EQ(scan.certificates.size(), 1u) << scan.xml;
    const SslscanCertificate& cert = scan.certificates[0];
    const bool ec = cert.key_type == "EC";
    EXPECT_TRUE(ec || cert.key_type == "RSA") << cert.key_type;
    EXPECT_EQ(cert.subject, ec ? certs().ecdsa.subject_cn : certs().rsa.subject_cn);
    EXPECT_EQ(cert.key_bits, ec ? 128 : 2048);
    EXPECT_EQ(cert.curve, ec ? "prime256v1" : "");
    EXPECT_EQ(cert.signature_algorithm, "ecdsa-with-SHA256");  // the CA's key signs both
    EXPECT_EQ(cert.issuer, "sslfeatures server test CA");
    EXPECT_FALSE(cert.self_signed);
    EXPECT_FALSE(cert.expired);

    EXPECT_EQ(scan.fallback_scsv, std::optional<bool>(true)) << scan.fallback_text;
    // nginx refuses client-initiated renegotiation.
    EXPECT_EQ(scan.renegotiation_supported, std::optional<bool>(false));
    EXPECT_FALSE(scan.compression_text.empty()) << scan.run.out;
    ASSERT_EQ(scan.heartbleed.size(), 2u);
    for (const auto& [version, vulnerable] : scan.heartbleed) EXPECT_FALSE(vulnerable) << version;
}

TEST(Sslscan, SeesATls12OnlyOpensslServer) {
    SF_REQUIRE_PROGRAMS("openssl", "sslscan");
    OpensslServer server(certs().rsa, {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", "-www"});
    SslscanResult scan = sslscan(server.address(), {"--show-sigs"});
    ASSERT_EQ(scan.error, "") << scan.run.out << scan.run.err;
    EXPECT_EQ(scan.enabled_protocols(), std::vector<std::string>{"TLSv1.2"});
    EXPECT_EQ(sorted(scan.ciphers_for("TLSv1.2")),
              (std::vector<std::string>{"AES256-SHA", "ECDHE-RSA-AES128-GCM-SHA256"}));
    EXPECT_TRUE(scan.ciphers_for("TLSv1.3").empty());
    ASSERT_EQ(scan.certificates.size(), 1u);
    EXPECT_EQ(scan.certificates[0].key_type, "RSA");
    EXPECT_FALSE(scan.signature_algorithms.empty()) << "--show-sigs lists them";
    for (const auto& s : scan.signature_algorithms) EXPECT_EQ(s.version, "TLSv1.2") << s.name;
}

TEST(Sslscan, ReadsTheXmlItWritesAndRejectsBrokenXml) {
    const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="2.0.7">
 <ssltest host="127.0.0.1" sniname="127.0.0.1" port="443">
  <protocol type="ssl" version="3" enabled="0" />
  <protocol type="tls" version="1.2" enabled="1" />
  <renegotiation supported="1" secure="1" />
  <cipher status="preferred" sslversion="TLSv1.2" bits="128" cipher="AES128-SHA" id="0x002F" strength="medium" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="256" cipher="A&amp;B" id="0x0035" strength="strong" />
 <certificates>
  <certificate type="short">
   <pk error="false" type="RSA" bits="2048" />
   <subject><![CDATA[a <b> & c]]></subject>
   <self-signed>true</self-signed>
  </certificate>
 </certificates>
 </ssltest>
</document>
)";
    SslscanResult r;
    parse_sslscan_xml(xml, r);
    EXPECT_EQ(r.protocols, (std::map<std::string, bool>{{"SSLv3", false}, {"TLSv1.2", true}}));
    EXPECT_EQ(r.ciphers_for("TLSv1.2"), (std::vector<std::string>{"AES128-SHA", "A&B"}));
    EXPECT_EQ(r.preferred_cipher("TLSv1.2"), "AES128-SHA");
    EXPECT_EQ(r.renegotiation_secure, std::optional<bool>(true));
    ASSERT_EQ(r.certificates.size(), 1u);
    EXPECT_EQ(r.certificates[0].subject, "a <b> & c");
    EXPECT_EQ(r.certificates[0].key_bits, 2048);
    EXPECT_TRUE(r.certificates[0].self_signed);

    for (const char* broken : {"<document><ssltest></document>", "<document a=b/>", "<document>&bogus;</document>",
                               "<document/><extra/>", "<document title=\"x\">"}) {
        SslscanResult ignored;
        EXPECT_THROW(parse_sslscan_xml(broken, ignored), std::runtime_error) << broken;
    }

    SslscanResult text;
    parse_sslscan_text("  TLS Fallback SCSV:\nServer does not support TLS Fallback SCSV\n\n  TLS Compression:\n"
                       "OpenSSL version does not support compression\nRebuild with zlib1g-dev package for zlib support\n",
                       text);
    EXPECT_EQ(text.fallback_scsv, std::optional<bool>(false));
    EXPECT_EQ(text.compression, std::nullopt);
    EXPECT_EQ(text.compression_text, "OpenSSL version does not support compression");
}

}  // namespace
}  // namespace sslfeatures::testing

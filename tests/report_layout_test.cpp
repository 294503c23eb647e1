// The connection report's layout: the dotted-line rule against Python's own
// textwrap, and the exact order of test_tls.py's lines on real connections.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "render/dotted.hpp"
#include "support/certs.hpp"
#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

using namespace std::chrono_literals;

// What test_tls.py would print: '{:.<36} {}' wrapped by textwrap.fill.
std::string python_dotted(const std::string& title, const std::string& values) {
    const char* script =
        "import sys, textwrap\n"
        "line = '{:.<36} {}'.format(sys.argv[1], sys.argv[2])\n"
        "print(textwrap.fill(line, 70, subsequent_indent='    ', break_long_words=False, break_on_hyphens=False))\n";
    Result r = run({env_or_fail("SF_TEST_PYTHON"), "-c", script, title, values});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

TEST(Dotted, MatchesPythonsTextwrapOnShortLongAndUnbreakableValues) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Address we want to talk to", "('localhost', 1060)"},
        {"Whether name(s) match the hostname", "Yes"},
        {"Certificates loaded of type x509_ca", "0"},
        {"Name(s) on peer certificate", "localhost www.example.com mail.example.com a-very-long-hyphenated-name.example.org 127.0.0.1 ::1 2001:db8::1"},
        {"Peer chain certificate 0", "subject CN=localhost,O=An Organisation With A Long Name; issuer CN=Test CA; ECDSA-256; not after 2027-01-01T00:00:00Z"},
        {"Unbreakable", std::string(90, 'x') + " tail"},
        {"A title that is longer than thirty-six characters", "value"},
    };
    for (const auto& [title, values] : cases) {
        EXPECT_EQ(render::dotted_line(title, words(values)), python_dotted(title, values)) << title;
    }
}

TEST(Dotted, TitleIsPaddedTo36ThenOneSpace) {
    EXPECT_EQ(render::dotted_line("Peer certificate", {"none"}), "Peer certificate.................... none\n");
}

std::vector<std::string> titles_of(const std::string& report) {
    std::vector<std::string> titles;
    std::regex title(R"(^(.+?)\.+ )");
    for (const std::string& line : lines_of(report)) {
        std::smatch m;
        if (line.rfind("    ", 0) != 0 && std::regex_search(line, m, title)) titles.push_back(m[1]);
    }
    return titles;
}

// test_tls.py's lines, in its order (layouts.md, section 2).
const std::vector<std::string> kChapterClient = {
    "Address we want to talk to", "Peer certificate", "Name(s) on peer certificate",
    "Whether name(s) match the hostname", "Certificates loaded of type crl",
    "Certificates loaded of type x509", "Certificates loaded of type x509_ca",
    "Protocol version negotiated", "Cipher chosen for this connection", "Cipher defined in TLS version",
    "Cipher key has this many bits", "Compression algorithm in use"};
const std::vector<std::string> kChapterServer = {
    "Interface where we are listening", "Client has connected from address", "Peer certificate",
    "Protocol version negotiated", "Cipher chosen for this connection", "Cipher defined in TLS version",
    "Cipher key has this many bits", "Compression algorithm in use"};

TEST(Report, ClientAndServerStartWithTheChaptersLinesInOrder) {
    const std::string bin = env_or_fail("SSLFEATURES_BIN");
    const auto& certs = TestCerts::get();
    Background server({bin, "server", "localhost", "0", "-s", certs.localhost, "--once", "--report"});
    std::string port = server.wait_for(std::regex("port (\\d+)\n"));
    ASSERT_FALSE(port.empty()) << server.output();
    Result client = run_tool({"client", "localhost", port, "-a", certs.ca, "--report"});
    ASSERT_EQ(client.exit_code, 0) << client.err;
    ASSERT_EQ(server.wait(10s), 0) << server.output();

    std::vector<std::string> c = titles_of(client.out);
    ASSERT_GE(c.size(), kChapterClient.size()) << client.out;
    EXPECT_EQ(std::vector<std::string>(c.begin(), c.begin() + kChapterClient.size()), kChapterClient);
    std::vector<std::string> s = titles_of(server.output());
    ASSERT_GE(s.size(), kChapterServer.size()) << server.output();
    EXPECT_EQ(std::vector<std::string>(s.begin(), s.begin() + kChapterServer.size()), kChapterServer);
    // Our additions follow, in the same layout.
    for (const char* added : {"Key-exchange group", "Peer signature algorithm", "ALPN protocol",
                              "Session resumed", "Extended master secret", "Peer chain certificate 0",
                              "Handshake time"}) {
        EXPECT_NE(std::find(c.begin(), c.end(), added), c.end()) << added;
    }
    for (const std::string& line : lines_of(client.out)) EXPECT_LE(line.size(), 70u) << line;
}

TEST(Report, JsonNamesTheSameFactsAndVerbosePrintsTheCertificate) {
    const std::string bin = env_or_fail("SSLFEATURES_BIN");
    const auto& certs = TestCerts::get();
    Background server({bin, "server", "127.0.0.1", "0", "-s", certs.localhost, "--alpn", "h2"});
    std::string port = server.wait_for(std::regex("port (\\d+)\n"));
    Result j = run_tool({"client", "localhost", port, "-a", certs.ca, "--report", "-f", "json", "-v",
                         "--alpn", "h2", "--groups", "P-384", "-p", "TLSv1.3"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc.at("protocol"), "TLSv1.3");
    EXPECT_EQ(doc.at("alpn"), "h2");
    EXPECT_EQ(doc.at("group"), "secp384r1");
    EXPECT_EQ(doc.at("peer_names"), (nlohmann::json{"localhost", "127.0.0.1", "::1"}));
    EXPECT_EQ(doc.at("chain").size(), 1u);
    EXPECT_NE(doc.at("peer_certificate_text").get<std::string>().find("Subject Alternative Name"), std::string::npos);
    EXPECT_EQ(doc.at("cipher_version"), "TLSv1.3");
}

}  // namespace
}  // namespace sslfeatures::testing

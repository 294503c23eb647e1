// The connection report's layout: the dotted-line rule against Python's own
// textwrap, and the exact order of test_tls.py's lines on real connections.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "render/dotted.hpp"
#include "support/certs.hpp"
#include "support/openssl_cli.hpp"
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
    ASSERT_EQ(lines_of(j.out).size(), 1u) << j.out;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc.at("type"), "report");
    EXPECT_EQ(doc.at("protocol"), "TLSv1.3");
    EXPECT_EQ(doc.at("alpn"), "h2");
    EXPECT_EQ(doc.at("group"), "secp384r1");
    EXPECT_EQ(doc.at("peer_names"), (nlohmann::json{"localhost", "127.0.0.1", "::1"}));
    EXPECT_EQ(doc.at("chain").size(), 1u);
    EXPECT_NE(doc.at("peer_certificate_text").get<std::string>().find("Subject Alternative Name"), std::string::npos);
    EXPECT_EQ(doc.at("cipher_version"), "TLSv1.3");
}

// --- JSON lines: every stdout line one typed object ---------------------------

// Every line of `out` parsed as a JSON object with a string "type".
std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> objects;
    for (const std::string& line : lines_of(out)) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error&) {
            ADD_FAILURE() << "not JSON: " << line;
            continue;
        }
        EXPECT_TRUE(j.is_object() && j.contains("type") && j.at("type").is_string()) << line;
        objects.push_back(j);
    }
    return objects;
}

// The key bits `openssl ciphers -v` gives a cipher: "Enc=AESGCM(128)" -> 128.
// Its list starts with the TLS 1.3 suites, so the cipher's own line counts.
int openssl_cipher_bits(const std::string& cipher) {
    Result r = openssl_under_test({"ciphers", "-v", cipher});
    const std::regex bits(R"(^\s*(\S+)\s.*Enc=\S*\((\d+)\))");
    for (const std::string& line : lines_of(r.out)) {
        std::smatch m;
        if (std::regex_search(line, m, bits) && m[1] == cipher) return std::stoi(m[2]);
    }
    return -1;
}

// Python's repr() of the bytes, the literal the text output prints.
std::string python_repr(const std::string& data) {
    Result r = run({env_or_fail("SF_TEST_PYTHON"), "-c", "import sys; print(repr(sys.stdin.buffer.read()), end='')"},
                   data);
    return r.out;
}

void expect_report_types(const nlohmann::json& r, const std::string& role) {
    EXPECT_EQ(r.at("role"), role);
    for (const char* key : {"peer_certificate", "resumed", "extended_master_secret"}) {
        EXPECT_TRUE(r.at(key).is_boolean()) << key << ": " << r.at(key);
    }
    for (const char* key : {"cipher_bits", "crl", "x509", "x509_ca"}) {
        EXPECT_TRUE(r.at(key).is_number_integer()) << key << ": " << r.at(key);
    }
    EXPECT_TRUE(r.at("handshake_ms").is_number()) << r.at("handshake_ms");
    EXPECT_GT(r.at("handshake_ms").get<double>(), 0);
    EXPECT_TRUE(r.at("compression").is_null());
    EXPECT_TRUE(r.at("alpn").is_null());
    const auto& signature = r.at("peer_signature");
    EXPECT_TRUE(signature.at("name").is_string() && signature.at("code").is_number_integer() &&
                signature.at("hex").is_string()) << signature;
    ASSERT_FALSE(r.at("chain").empty());
    for (const auto& c : r.at("chain")) {
        for (const char* key : {"subject", "issuer", "key", "not_after"}) EXPECT_TRUE(c.at(key).is_string()) << c;
    }
    EXPECT_EQ(r.at("chain").at(0).at("subject"), role == "client" ? "CN=localhost" : "CN=client");
}

TEST(ReportJson, EveryStdoutLineIsATypedObjectWithNumbersBooleansAndArrays) {
    const std::string bin = env_or_fail("SSLFEATURES_BIN");
    const auto& certs = TestCerts::get();
    const std::string cipher = "ECDHE-ECDSA-AES128-GCM-SHA256";
    const int bits = openssl_cipher_bits(cipher);
    ASSERT_GT(bits, 0) << "openssl ciphers -v does not know " << cipher;
    Background server({bin, "server", "127.0.0.1", "0", "-s", certs.localhost, "-a", certs.ca, "--once", "--report",
                       "-f", "json", "--cipher", cipher});
    const std::string port = server.wait_for(std::regex(R"("port":(\d+))"));
    ASSERT_FALSE(port.empty()) << server.output();
    const std::string message("bytes \xff\x00 and \xc3\xa9\n", 16);
    Background c({bin, "client", "localhost", port, "-a", certs.ca, "-c", certs.client, "--report", "-f", "json",
                  "-p", "TLSv1.2", "--stdin"},
                 message);
    c.close_stdin();
    ASSERT_EQ(c.wait(10s), 0) << c.output();
    ASSERT_EQ(server.wait(10s), 0) << server.output();

    // The client: one report, nothing else.
    const auto client_lines = json_lines(c.output());
    ASSERT_EQ(client_lines.size(), 1u) << c.output();
    const nlohmann::json& ours = client_lines[0];
    EXPECT_EQ(ours.at("type"), "report");
    expect_report_types(ours, "client");
    EXPECT_EQ(ours.at("address"), (nlohmann::json{{"host", "localhost"}, {"port", std::stoi(port)}}));
    EXPECT_EQ(ours.at("protocol"), "TLSv1.2");
    EXPECT_EQ(ours.at("cipher"), cipher);
    EXPECT_EQ(ours.at("cipher_bits"), bits);
    EXPECT_EQ(ours.at("name_match"), true);
    EXPECT_EQ(ours.at("sni"), "localhost");
    EXPECT_TRUE(ours.at("ocsp_staple_bytes").is_null());

    // The server: where it listens, the report, then what the client sent
    // (Background merges stderr, which has nothing to say here).
    const auto server_lines = json_lines(server.output());
    ASSERT_EQ(server_lines.size(), 3u) << server.output();
    EXPECT_EQ(server_lines[0].at("type"), "listening");
    EXPECT_EQ(server_lines[0].at("interface").at("port"), std::stoi(port));
    const nlohmann::json& theirs = server_lines[1];
    EXPECT_EQ(theirs.at("type"), "report");
    expect_report_types(theirs, "server");
    EXPECT_EQ(theirs.at("cipher_bits"), bits);
    EXPECT_EQ(theirs.at("protocol"), "TLSv1.2");
    EXPECT_TRUE(theirs.at("client_address").at("port").is_number_integer());
    EXPECT_EQ(theirs.at("peer_names"), nlohmann::json::array({"client", "client.example"}));
    const nlohmann::json& data = server_lines[2];
    EXPECT_EQ(data.at("type"), "data");
    EXPECT_EQ(data.at("length"), message.size());
    EXPECT_EQ(data.at("repr"), python_repr(message));
    // Not UTF-8 (\xff) becomes U+FFFD; the rest is the text as sent.
    EXPECT_EQ(data.at("data"), "bytes \xef\xbf\xbd" + std::string("\0", 1) + " and \xc3\xa9\n");
}

}  // namespace
}  // namespace sslfeatures::testing
